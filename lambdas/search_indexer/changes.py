"""Listing change events, as producers put them on the Kinesis stream, directly or through
EventBridge.

One JSON object per Kinesis record; producers use the listing id as the partition key so that the
changes of one listing stay ordered within a shard:

    {"op": "upsert", "listing_id": "avb-nj-0412-1204", "version": 1731000000123, "listing": {...}}
    {"op": "delete", "listing_id": "avb-nj-0412-1204", "version": 1731000000456}

`listing` is the whole document (event-carried state), never a partial patch, so an upsert can be
replayed on its own. `version` only grows for a given listing (the source row version, or its update
time in milliseconds); the indexer hands it to OpenSearch as an external version, which makes
replays and late, out-of-order deliveries harmless.

A rule with a Kinesis target puts the whole EventBridge event as the record's data when it has no
input transformer (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html), so
a record may also be an event (it has ``detail-type`` and ``detail``):

* ``Listing Changed``: ``detail`` is a listing change as above (what listing producers publish);
* ``Lease Created`` (the leasing outbox): the unit is let, so its listing leaves search; the
  delete carries the event's time as version, so a listing published again later (newer version)
  comes back and an older one cannot;
* any other detail type is not a search change: the record is skipped (``IGNORED``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .search_stream import listing_id_of, version_of

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


LISTING_CHANGED = "Listing Changed"
LEASE_CREATED = "Lease Created"  # lambdas/lease_api/outbox.py
IGNORED = None  # parse_change's answer for an event that changes nothing in search


def parse_change(data: bytes) -> ListingChange | None:
    """Decode one record's payload, listing every problem at once; None (``IGNORED``) when it is an
    event that is not a search change."""
    try:
        payload = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PermanentRecordError("invalid_json", str(exc)) from None
    if not isinstance(payload, dict):
        raise PermanentRecordError("invalid_event", "payload must be a JSON object")
    if "detail-type" in payload and "detail" in payload:
        return _from_event(payload)
    return _from_change(payload)


def _from_event(event: dict[str, Any]) -> ListingChange | None:
    detail = event["detail"]
    if not isinstance(detail, dict):
        raise PermanentRecordError("invalid_event", "the event's detail must be a JSON object")
    if event["detail-type"] == LISTING_CHANGED:
        return _from_change(detail)
    if event["detail-type"] != LEASE_CREATED:
        return IGNORED
    problems = [
        f"detail.{key} must be a non-empty string"
        for key in ("community_id", "unit_id", "occurred_at")
        if not isinstance(detail.get(key), str) or not detail[key]
    ]
    version = None
    if not problems:
        try:
            version = version_of(detail["occurred_at"])
        except ValueError:
            problems.append(f"detail.occurred_at must be an ISO 8601 time (got {detail['occurred_at']!r})")
    if problems:
        raise PermanentRecordError("invalid_event", "; ".join(problems))
    return _from_change(
        {"op": "delete", "listing_id": listing_id_of(detail["community_id"], detail["unit_id"]), "version": version}
    )


def _from_change(payload: dict[str, Any]) -> ListingChange:
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
