"""Reads of the floating-population app, every one scoped with ``visible_to``."""
