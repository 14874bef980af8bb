"""Start the cfdesk desktop app (also the PyInstaller entry script)."""

from cfdesk.entry import main

if __name__ == "__main__":
    raise SystemExit(main())
