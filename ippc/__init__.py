"""ippc-assistant: the command line, settings and shared plumbing of the assistant."""
