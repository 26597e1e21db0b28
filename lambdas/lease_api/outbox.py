"""Lease events go into the outbox table inside the caller's transaction.

If the transaction commits, the event exists and the relay will deliver it; if it rolls back, the
event never existed. EventBridge is never called while a lease change is being written.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import psycopg
from psycopg.types.json import Jsonb

APPLICATION_SUBMITTED = "Lease Application Submitted"
LEASE_CREATED = "Lease Created"
RENT_PAYMENT_RECORDED = "Rent Payment Recorded"
DETAIL_TYPES = (APPLICATION_SUBMITTED, LEASE_CREATED, RENT_PAYMENT_RECORDED)


def add_event(cur: psycopg.Cursor, detail_type: str, aggregate_id: uuid.UUID, data: dict) -> uuid.UUID:
    """Queues one event; ``detail.event_id`` lets consumers drop the rare redelivery."""
    if detail_type not in DETAIL_TYPES:
        raise ValueError(f"unknown lease event type {detail_type!r}")
    event_id = uuid.uuid4()
    detail = {
        "event_id": str(event_id),
        "event_version": 1,
        "occurred_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        **data,
    }
    cur.execute(
        "INSERT INTO event_outbox (event_id, detail_type, aggregate_id, detail) VALUES (%s, %s, %s, %s)",
        (event_id, detail_type, aggregate_id, Jsonb(detail)),
    )
    return event_id
