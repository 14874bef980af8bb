"""The item map page: PCA scatter, its styling and selection, and the panel around it."""
