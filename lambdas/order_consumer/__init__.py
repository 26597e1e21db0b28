"""Idempotent consumer of OrderCreated events (``order_consumer.handler.handler``)."""
