"""Writes of the contraceptive supply module: each function is one operation in one
transaction, checks scope and rules, and records itself in the audit trail."""
