"""Contraceptive supply pages: thin views, one per operation."""
