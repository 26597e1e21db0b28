"""Lease API: applications, leases and rent payments in Aurora PostgreSQL, events via the outbox."""
