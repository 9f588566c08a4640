"""Contraceptive supply (药具管理): points, lots, stock ledger, stock cards, roster."""
