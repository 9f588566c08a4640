"""Audit: the append-only trail of who did what, and the auditor's search page."""
