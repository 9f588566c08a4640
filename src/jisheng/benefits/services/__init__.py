"""Writes of the benefits module: every state change goes through a function here."""
