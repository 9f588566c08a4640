"""Pages of the pre-pregnancy module: thin views, one per operation."""
