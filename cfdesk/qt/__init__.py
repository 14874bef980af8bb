"""The desktop GUI: thin Qt views over cfdesk.core, work done in worker threads."""
