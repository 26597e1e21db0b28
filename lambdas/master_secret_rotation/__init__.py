"""Rotates the Aurora master user's password in its Secrets Manager secret (single-user rotation)."""
