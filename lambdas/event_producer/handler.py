"""Lambda entry point: publish the entries in the event through the global endpoint.

Invocation payload: ``{"entries": [{"Source": ..., "DetailType": ..., "Detail": {...}}, ...]}``
(``Detail`` may be an object; ``EventBusName`` defaults to ``EVENT_BUS_NAME``).

Environment: ``EVENT_BUS_NAME`` (required), ``EVENT_ENDPOINT_ID`` (global endpoint id; empty
means PutEvents straight to the bus in this Region), ``BUFFER_QUEUE_URL`` (required),
``BUFFER_DLQ_URL`` (the buffer's dead-letter queue: entries failing with a non-retryable error
go there at once; without it they cycle in the buffer until its maxReceiveCount),
``BUFFER_DELAY_SECONDS`` (default 60), ``RETRY_MAX_ATTEMPTS`` (default 6).

Returns one status per entry. If any entry could be neither delivered nor buffered the
invocation fails, so the invoker keeps the events (nothing is dropped silently).
"""

from __future__ import annotations

import os
import time
from typing import Any

from aws_lambda_powertools import Logger

from .buffer import SqsBuffer
from .producer import EventProducer
from .retry import RetryPolicy

logger = Logger()

# Time kept back from the Lambda timeout for buffering what is still failing.
RESERVED_SECONDS_FOR_BUFFERING = 3.0

_producer: EventProducer | None = None


def _build_producer() -> EventProducer:
    missing = [name for name in ("EVENT_BUS_NAME", "BUFFER_QUEUE_URL") if not os.environ.get(name)]
    if missing:
        raise RuntimeError(f"missing environment variables: {', '.join(missing)}")
    buffer = SqsBuffer(
        os.environ["BUFFER_QUEUE_URL"],
        dead_letter_queue_url=os.environ.get("BUFFER_DLQ_URL") or None,
        delay_seconds=int(os.environ.get("BUFFER_DELAY_SECONDS", "60")),
    )
    return EventProducer(
        event_bus_name=os.environ["EVENT_BUS_NAME"],
        endpoint_id=os.environ.get("EVENT_ENDPOINT_ID") or None,
        buffer=buffer,
        retry=RetryPolicy(max_attempts=int(os.environ.get("RETRY_MAX_ATTEMPTS", "6"))),
        logger=logger,
    )


def get_producer() -> EventProducer:
    global _producer
    if _producer is None:
        _producer = _build_producer()
    return _producer


def reset() -> None:
    """Forget the cached producer (tests change the environment between cases)."""
    global _producer
    _producer = None


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    entries = event.get("entries") if isinstance(event, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError('the event must be {"entries": [ ... ]} with at least one entry')
    deadline = None
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        remaining = context.get_remaining_time_in_millis() / 1000.0
        deadline = time.monotonic() + max(0.0, remaining - RESERVED_SECONDS_FOR_BUFFERING)
    result = get_producer().publish(entries, deadline=deadline)
    logger.info(
        "published events",
        extra={"delivered": len(result.delivered), "buffered": len(result.buffered)},
    )
    return {
        "delivered": len(result.delivered),
        "buffered": len(result.buffered),
        "entries": result.statuses(),
    }
