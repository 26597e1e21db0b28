"""OpenSearch bulk request bodies and the reading of bulk item results.

Every action carries the event's version with `version_type: external`: OpenSearch applies it only
when it is greater than the stored one, so a replayed or stale change comes back as a 409 conflict,
which means "already there or superseded", not an error.
"""

from __future__ import annotations

import enum
import json
from datetime import UTC, datetime
from typing import Any

from .changes import ListingChange


class Outcome(enum.Enum):
    APPLIED = "applied"
    STALE = "stale"  # an equal or newer version is already indexed (replay, late delivery)
    RETRYABLE = "retryable"
    PERMANENT = "permanent"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def action_lines(change: ListingChange, index: str) -> bytes:
    """The NDJSON lines (newline-terminated) of one bulk action."""
    meta = {"_index": index, "_id": change.listing_id, "version": change.version, "version_type": "external"}
    if change.op == "delete":
        return (_dumps({"delete": meta}) + "\n").encode()
    return (_dumps({"index": meta}) + "\n" + _dumps(change.document) + "\n").encode()


def history_lines(change: ListingChange, alias: str) -> bytes:
    """The change appended to the history (write alias over rollover indices, which Index State
    Management moves to UltraWarm and cold storage as they age). ``create`` with the change's own
    id: a replay answers 409, which means already recorded."""
    meta = {"_index": alias, "_id": f"{change.listing_id}:{change.version}"}
    changed_at = datetime.fromtimestamp(change.version / 1000, UTC).isoformat(timespec="milliseconds")
    document = {
        "listing_id": change.listing_id,
        "version": change.version,
        "op": change.op,
        "changed_at": changed_at,
        "listing": change.document,
    }
    return (_dumps({"create": meta}) + "\n" + _dumps(document) + "\n").encode()


def classify_history(item: dict[str, Any]) -> tuple[Outcome, str]:
    outcome, reason = classify("create", {"index": item.get("create", {})})
    if outcome is Outcome.STALE:
        return Outcome.APPLIED, ""  # this change is in the history already
    return outcome, reason


def combine(listing: tuple[Outcome, str], history: tuple[Outcome, str]) -> tuple[Outcome, str]:
    """A record is done when both its listing action and its history entry are."""
    if listing[0] is Outcome.PERMANENT or history[0] is Outcome.PERMANENT:
        return listing if listing[0] is Outcome.PERMANENT else history
    if history[0] is Outcome.RETRYABLE:
        return history
    return listing


def chunk(sizes: list[int], max_bytes: int, max_actions: int) -> list[list[int]]:
    """Split action positions into consecutive groups under both limits (order kept)."""
    groups: list[list[int]] = []
    current: list[int] = []
    current_bytes = 0
    for position, size in enumerate(sizes):
        if current and (current_bytes + size > max_bytes or len(current) >= max_actions):
            groups.append(current)
            current, current_bytes = [], 0
        current.append(position)
        current_bytes += size
    if current:
        groups.append(current)
    return groups


# 400 is the document's own fault (mapping, parsing, strict fields). Everything else (429 rejected
# execution, 5xx, 403 read-only block or missing role mapping, 404 missing index) is about the
# cluster and heals, so the record is retried rather than dropped.
PERMANENT_STATUSES = frozenset({400})


def classify(op: str, item: dict[str, Any]) -> tuple[Outcome, str]:
    """Outcome of one bulk response item such as {"index": {"status": 201, ...}}."""
    result = item.get("delete" if op == "delete" else "index") or next(iter(item.values()), {})
    status = int(result.get("status", 0))
    error = result.get("error") or {}
    error_text = f"{error.get('type', 'error')}: {error.get('reason', '')}".rstrip(": ") if error else ""
    if 200 <= status < 300:
        return Outcome.APPLIED, ""
    if status == 409 and error.get("type") == "version_conflict_engine_exception":
        return Outcome.STALE, error_text
    if status == 404 and op == "delete" and not error:
        return Outcome.APPLIED, "not_found"  # nothing to delete is what a delete wants
    if status in PERMANENT_STATUSES:
        return Outcome.PERMANENT, error_text or f"status {status}"
    return Outcome.RETRYABLE, f"status {status}" + (f" {error_text}" if error_text else "")
