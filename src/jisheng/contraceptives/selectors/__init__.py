"""Reads of the contraceptive supply module, always through the user's scope."""
