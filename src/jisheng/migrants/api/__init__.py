"""The migrants API: one module per area."""
