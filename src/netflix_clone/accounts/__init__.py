"""Accounts: members, password hashing, access and refresh tokens."""
