"""Pages of the floating-population app: ``records`` (inflow, outflow, stale list, visits)
and ``partners`` (complexes, partners, reports and the worklist)."""
