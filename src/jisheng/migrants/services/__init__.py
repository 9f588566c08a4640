"""Writes of the floating-population app: ``records`` (inflow, outflow, visits) and
``partners`` (complexes, partners, their reports)."""
