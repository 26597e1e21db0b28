"""PutEvents entries: normalisation, validation, size and batching.

Entries are checked before anything is sent, so a caller's mistake fails loudly at once instead of
turning into an event that can never be delivered and sits in the buffer forever.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

# PutEvents service limits.
MAX_ENTRIES_PER_REQUEST = 10
MAX_REQUEST_BYTES = 256 * 1024

_ALLOWED_KEYS = frozenset({"Time", "Source", "Resources", "DetailType", "Detail", "EventBusName", "TraceHeader"})
_REQUIRED_KEYS = ("Source", "DetailType", "Detail")

T = TypeVar("T")


class InvalidEntryError(ValueError):
    """One or more entries can never be accepted by PutEvents; nothing was sent."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("invalid PutEvents entries: " + "; ".join(self.problems))


def entry_size(entry: Mapping[str, Any]) -> int:
    """Size of one entry as EventBridge counts it against the request limit."""
    size = 14 if entry.get("Time") else 0
    for key in ("Source", "DetailType", "Detail"):
        value = entry.get(key)
        if value:
            size += len(value.encode("utf-8"))
    for resource in entry.get("Resources") or ():
        size += len(resource.encode("utf-8"))
    return size


def normalise_entries(entries: Iterable[Mapping[str, Any]], *, default_bus_name: str) -> list[dict[str, Any]]:
    """Copy entries into the exact shape PutEvents takes, or raise InvalidEntryError.

    - ``Detail`` may be given as a dict/list and is JSON-encoded;
    - ``Time`` may be a datetime and becomes an ISO-8601 string (so the entry stays JSON, which the
      store-and-forward buffer needs);
    - ``EventBusName`` defaults to the producer's bus: a global endpoint needs it set to validate
      the endpoint configuration.
    """
    normalised: list[dict[str, Any]] = []
    problems: list[str] = []
    for index, raw in enumerate(entries):
        checked = _entry_problems(raw, default_bus_name)
        if isinstance(checked, list):
            problems.extend(f"entry {index}: {problem}" for problem in checked)
        else:
            normalised.append(checked)
    if problems:
        raise InvalidEntryError(problems)
    return normalised


def batches(
    items: Sequence[T],
    *,
    size_of: Callable[[T], int],
    max_items: int = MAX_ENTRIES_PER_REQUEST,
    max_bytes: int = MAX_REQUEST_BYTES,
) -> Iterator[list[T]]:
    """Split items, in order, into batches within both the count and the byte limit."""
    batch: list[T] = []
    batch_bytes = 0
    for item in items:
        item_bytes = size_of(item)
        if batch and (len(batch) == max_items or batch_bytes + item_bytes > max_bytes):
            yield batch
            batch, batch_bytes = [], 0
        batch.append(item)
        batch_bytes += item_bytes
    if batch:
        yield batch


def _entry_problems(raw: Any, default_bus_name: str) -> dict[str, Any] | list[str]:
    """The normalised entry, or the list of what is wrong with it."""
    if not isinstance(raw, Mapping):
        return [f"expected an object, got {type(raw).__name__}"]
    entry = dict(raw)
    problems: list[str] = []
    unknown = sorted(set(entry) - _ALLOWED_KEYS)
    if unknown:
        problems.append(f"unknown keys {unknown}")
    if isinstance(entry.get("Detail"), (dict, list)):
        entry["Detail"] = json.dumps(entry["Detail"], separators=(",", ":"), default=str)
    if isinstance(entry.get("Time"), datetime):
        entry["Time"] = entry["Time"].isoformat()
    entry.setdefault("EventBusName", default_bus_name)
    for key in _REQUIRED_KEYS + ("EventBusName",):
        value = entry.get(key)
        if not isinstance(value, str) or not value:
            problems.append(f"{key} must be a non-empty string")
    if isinstance(entry.get("Detail"), str):
        try:
            detail = json.loads(entry["Detail"])
        except ValueError:
            problems.append("Detail is not valid JSON")
        else:
            if not isinstance(detail, dict):
                problems.append("Detail must be a JSON object")
    for key in ("Time", "TraceHeader"):
        if key in entry and not isinstance(entry[key], str):
            problems.append(f"{key} must be a string (or a datetime for Time)")
    resources = entry.get("Resources")
    if resources is not None and (not isinstance(resources, list) or not all(isinstance(r, str) for r in resources)):
        problems.append("Resources must be a list of strings")
    if problems:
        return problems
    size = entry_size(entry)
    if size > MAX_REQUEST_BYTES:
        return [f"{size} bytes exceeds the PutEvents limit of {MAX_REQUEST_BYTES}"]
    return entry
