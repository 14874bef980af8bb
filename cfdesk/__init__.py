"""cfdesk: collaborative filtering on the desktop (imports neither torch nor Qt)."""

__version__ = "0.1.0"
