"""Governance reads, one module per area, each scoped to the user."""
