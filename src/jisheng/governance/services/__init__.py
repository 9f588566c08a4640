"""Writes of the governance module, one submodule per area."""
