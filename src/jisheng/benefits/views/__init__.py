"""Pages of the benefits module, one module per area; each view parses, calls one service or selector, renders."""
