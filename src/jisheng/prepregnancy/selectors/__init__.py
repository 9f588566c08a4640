"""Reads of the pre-pregnancy module, always through the user's scope."""
