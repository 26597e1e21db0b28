"""Republishes entries the producer buffered in SQS (``event_redrive.handler.handler``)."""
