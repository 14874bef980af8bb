"""The Results page (recommendations, neighbours, biases, new user, map, export) as thin views."""

from __future__ import annotations

from cfdesk.qt.results.view import ResultsView

__all__ = ["ResultsView"]
