"""Republish buffered entries with PutEvents (through the global endpoint when configured).

One attempt per entry per run: an entry that fails again stays in the queue and comes back after
the visibility timeout, so SQS does the waiting between tries, and the queue's redrive policy moves
an entry that keeps failing to the dead-letter queue for an operator.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple

import boto3
from botocore.config import Config

# A symbolic link to the producer's module: one list of PutEvents error codes for both functions.
from .retry import is_retryable_entry_error

MAX_ENTRIES_PER_REQUEST = 10
MAX_REQUEST_BYTES = 256 * 1024


def _entry_size(entry: dict[str, Any]) -> int:
    size = 14 if entry.get("Time") else 0
    for key in ("Source", "DetailType", "Detail"):
        if entry.get(key):
            size += len(entry[key].encode("utf-8"))
    return size + sum(len(r.encode("utf-8")) for r in entry.get("Resources") or ())


class RepublishOutcome(NamedTuple):
    accepted: set[Hashable]
    failures: dict[Hashable, str]  # key -> reason, for every key not accepted
    # Keys whose entry failed with a non-retryable PutEvents error code: retrying cannot help.
    # A refused whole call (the function's own role or endpoint) is not counted here: that is
    # not the entry's fault, and those messages reach the DLQ through maxReceiveCount.
    permanent: set[Hashable]


class Republisher:
    def __init__(
        self,
        *,
        endpoint_id: str | None = None,
        region_name: str | None = None,
        events_client: Any = None,
    ):
        self.endpoint_id = endpoint_id or None
        self.region_name = region_name
        self._client = events_client

    @property
    def events_client(self) -> Any:
        if self._client is None:
            self._client = boto3.client(
                "events",
                region_name=self.region_name,
                config=Config(retries={"total_max_attempts": 1}),
            )
        return self._client

    def republish(self, items: Sequence[tuple[Hashable, dict[str, Any]]]) -> RepublishOutcome:
        """PutEvents for (key, entry) pairs: which keys were accepted, which failed and why."""
        accepted: set[Hashable] = set()
        failures: dict[Hashable, str] = {}
        permanent: set[Hashable] = set()
        for batch in self._batches(items):
            request: dict[str, Any] = {"Entries": [entry for _, entry in batch]}
            if self.endpoint_id:
                request["EndpointId"] = self.endpoint_id
            try:
                response = self.events_client.put_events(**request)
            except Exception as error:  # noqa: BLE001 - the messages stay in the queue
                for key, _ in batch:
                    failures[key] = f"{type(error).__name__}: {error}"
                continue
            results = response.get("Entries") or []
            for position, (key, _) in enumerate(batch):
                result = results[position] if position < len(results) else {}
                if result.get("EventId") and not result.get("ErrorCode"):
                    accepted.add(key)
                else:
                    code = result.get("ErrorCode") or "NoResult"
                    failures[key] = f"{code}: {result.get('ErrorMessage', '')}"
                    if result.get("ErrorCode") and not is_retryable_entry_error(code):
                        permanent.add(key)
        return RepublishOutcome(accepted, failures, permanent)

    @staticmethod
    def _batches(items: Sequence[tuple[Hashable, dict[str, Any]]]):
        batch: list[tuple[Hashable, dict[str, Any]]] = []
        size = 0
        for key, entry in items:
            entry_bytes = _entry_size(entry)
            if batch and (len(batch) == MAX_ENTRIES_PER_REQUEST or size + entry_bytes > MAX_REQUEST_BYTES):
                yield batch
                batch, size = [], 0
            batch.append((key, entry))
            size += entry_bytes
        if batch:
            yield batch
