"""The Runs page: every recorded run in a table, compared in a chart and side by side."""
