"""Start the cfdesk desktop app (also the PyInstaller entry script)."""

from cfdesk.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
