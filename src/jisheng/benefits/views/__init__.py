"""Pages of the benefits module: each view parses, calls one service or selector, renders."""
