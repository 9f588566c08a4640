"""Writes of the pre-pregnancy module: each service checks scope and state, acts, audits."""
