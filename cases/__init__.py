"""Case status: the case store, CSV import, verified lookups with lockout, and the audit log."""
