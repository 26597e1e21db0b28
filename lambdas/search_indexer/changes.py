"""Listing change events, as producers put them on the Kinesis stream.

One JSON object per Kinesis record; producers use the listing id as the partition key so that the
changes of one listing stay ordered within a shard:

    {"op": "upsert", "listing_id": "avb-nj-0412-1204", "version": 1731000000123, "listing": {...}}
    {"op": "delete", "listing_id": "avb-nj-0412-1204", "version": 1731000000456}

`listing` is the whole document (event-carried state), never a partial patch, so an upsert can be
replayed on its own. `version` only grows for a given listing (the source row version, or its update
time in milliseconds); the indexer hands it to OpenSearch as an external version, which makes
replays and late, out-of-order deliveries harmless.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

OPS = ("upsert", "delete")
MAX_VERSION = 2**63 - 1  # OpenSearch versions are signed 64-bit longs
MAX_ID_BYTES = 512  # OpenSearch limit on _id


class PermanentRecordError(Exception):
    """The record can never be indexed as it is: retrying it would only block its shard."""

    def __init__(self, error_type: str, reason: str):
        super().__init__(f"{error_type}: {reason}")
        self.error_type = error_type
        self.reason = reason


@dataclass(frozen=True)
class ListingChange:
    op: str
    listing_id: str
    version: int
    document: dict[str, Any] | None  # None for deletes


def parse_change(data: bytes) -> ListingChange:
    """Decode one record's payload, listing every problem at once."""
    try:
        payload = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PermanentRecordError("invalid_json", str(exc)) from None
    if not isinstance(payload, dict):
        raise PermanentRecordError("invalid_event", "payload must be a JSON object")

    problems: list[str] = []
    op = payload.get("op")
    if op not in OPS:
        problems.append(f"op must be one of {', '.join(OPS)} (got {op!r})")

    listing_id = payload.get("listing_id")
    if not isinstance(listing_id, str) or not listing_id.strip():
        problems.append("listing_id must be a non-empty string")
    elif len(listing_id.encode()) > MAX_ID_BYTES:
        problems.append(f"listing_id must be at most {MAX_ID_BYTES} bytes")

    version = payload.get("version")
    # bool is an int subclass; a JSON true is not a version
    if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version <= MAX_VERSION:
        problems.append(f"version must be an integer between 0 and {MAX_VERSION} (got {version!r})")

    document = None
    if op == "upsert":
        listing = payload.get("listing")
        if not isinstance(listing, dict):
            problems.append("listing must be a JSON object for an upsert")
        else:
            embedded_id = listing.get("listing_id", listing_id)
            if embedded_id != listing_id:
                problems.append(f"listing.listing_id {embedded_id!r} differs from listing_id {listing_id!r}")
            document = {**listing, "listing_id": listing_id}

    if problems:
        raise PermanentRecordError("invalid_event", "; ".join(problems))
    return ListingChange(op=op, listing_id=listing_id, version=version, document=document)
