"""Relays lease events from the database outbox to the leasing EventBridge bus."""
