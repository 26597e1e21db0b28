"""Reads the messages the producer's store-and-forward buffer writes (one entry per message).

The format is the producer's ``buffer.MESSAGE_FORMAT``; this function ships on its own, so it
carries its own reader, and a test round-trips the producer's writer through it.
"""

from __future__ import annotations

import json
from typing import Any

MESSAGE_FORMAT = "blueprints.eventbridge-buffer.v1"
_ENTRY_KEYS = frozenset({"Time", "Source", "Resources", "DetailType", "Detail", "EventBusName", "TraceHeader"})


class UnreadableMessage(ValueError):
    """The message is not a buffered entry; it stays in the queue (and reaches the DLQ)."""


def read_entry(body: str) -> dict[str, Any]:
    try:
        message = json.loads(body)
    except ValueError as error:
        raise UnreadableMessage(f"not JSON: {error}") from None
    if not isinstance(message, dict) or message.get("format") != MESSAGE_FORMAT:
        raise UnreadableMessage(f"not a {MESSAGE_FORMAT} message")
    entry = message.get("entry")
    if not isinstance(entry, dict):
        raise UnreadableMessage("the message has no entry object")
    unknown = set(entry) - _ENTRY_KEYS
    missing = [k for k in ("Source", "DetailType", "Detail", "EventBusName") if not entry.get(k)]
    if unknown or missing:
        raise UnreadableMessage(f"bad entry: unknown keys {sorted(unknown)}, missing {missing}")
    return entry
