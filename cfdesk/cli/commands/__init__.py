"""One module per subcommand group; each defines `register(subparsers)` and sets `func`."""
