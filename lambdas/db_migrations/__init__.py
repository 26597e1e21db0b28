"""Applies the leasing schema migrations (``sql/*.sql``); the stack invokes it on every deploy."""
