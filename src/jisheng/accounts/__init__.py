"""Accounts: users, roles (三权分立), login policy, API tokens."""
