"""One panel per file; panels emit intent signals and expose setters, never import each other."""
