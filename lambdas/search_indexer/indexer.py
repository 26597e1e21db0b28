"""Kinesis records to OpenSearch bulk requests, with one outcome per record.

A record ends in one of three ways:
- indexed (or already superseded by an equal or newer version): success;
- permanently unindexable (bad event, document the mapping rejects): sent to the failure queue,
  then counted as handled so it no longer blocks its shard;
- still failing for a reason that heals (throttling, node down, missing permissions): reported as a
  batch item failure, so Lambda retries from it (bounded retries, then the on-failure destination).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from opensearchpy.exceptions import TransportError

from .bulk import Outcome, action_lines, chunk, classify, classify_history, combine, history_lines
from .changes import ListingChange, PermanentRecordError, parse_change
from .failures import FailureQueue, Rejected

# Keep this much time in hand after a backoff sleep: one more bulk call must still fit.
RETRY_TIME_MARGIN_SECONDS = 2.0


class RetryableIndexingError(Exception):
    """The record could not be indexed yet; Lambda should deliver it again."""


@dataclass
class BatchResult:
    errors: list[Exception | None]  # one per record, None when handled
    counts: Counter = field(default_factory=Counter)
    bulk_requests: int = 0


@dataclass
class Indexer:
    client: Callable[[], Any]  # returns an opensearchpy.OpenSearch (created lazily)
    index: str
    failure_queue: FailureQueue | None
    max_chunk_bytes: int = 5 * 1024 * 1024
    max_chunk_actions: int = 1000
    max_attempts: int = 3
    backoff_seconds: float = 0.5
    request_timeout_seconds: float = 10.0
    sleep: Callable[[float], None] = time.sleep
    # A record still failing for a reason that heals is parked once it is this old; set below the
    # mapping's MaximumRecordAgeInSeconds. None: never (the mapping's retries decide).
    park_retryable_after_seconds: float | None = None
    history_alias: str | None = None  # when set, every change is also appended to the history
    now: Callable[[], float] = time.time

    def index_records(self, records: list[Any], time_left: Callable[[], float] | None = None) -> BatchResult:
        result = BatchResult(errors=[None] * len(records))
        changes: dict[int, ListingChange] = {}
        lines: dict[int, bytes] = {}
        rejects: list[tuple[int, Rejected]] = []

        for position, record in enumerate(records):
            try:
                change = parse_change(record.kinesis.data_as_bytes())
                if change is None:  # an event that changes nothing in search
                    result.counts["ignored"] += 1
                    continue
                body = action_lines(change, self.index)
                if self.history_alias:
                    body += history_lines(change, self.history_alias)
                if len(body) > self.max_chunk_bytes:
                    raise PermanentRecordError(
                        "document_too_large", f"{len(body)} bytes exceeds the bulk limit of {self.max_chunk_bytes}"
                    )
            except PermanentRecordError as exc:
                rejects.append((position, Rejected(record, exc.error_type, exc.reason)))
                continue
            changes[position], lines[position] = change, body

        pending = list(changes)
        last_reason: dict[int, str] = {}
        attempt = 0
        while pending:
            attempt += 1
            retry: list[int] = []
            for group in chunk([len(lines[p]) for p in pending], self.max_chunk_bytes, self.max_chunk_actions):
                positions = [pending[i] for i in group]
                result.bulk_requests += 1
                for position, (outcome, reason) in zip(positions, self._send(positions, changes, lines)):
                    if outcome is Outcome.RETRYABLE:
                        retry.append(position)
                        last_reason[position] = reason
                    elif outcome is Outcome.PERMANENT:
                        change = changes[position]
                        error_type, _, detail = reason.partition(": ")
                        rejects.append(
                            (
                                position,
                                Rejected(
                                    records[position], error_type, detail or reason, change.listing_id, change.version
                                ),
                            )
                        )
                    else:
                        result.counts[outcome.value] += 1
            pending = retry
            if not pending or attempt >= self.max_attempts:
                break
            delay = self.backoff_seconds * 2 ** (attempt - 1)
            if time_left is not None and time_left() < delay + self.request_timeout_seconds + RETRY_TIME_MARGIN_SECONDS:
                break
            self.sleep(delay)

        for position in pending:
            if self._too_old_to_wait(records[position]):
                # Parked with its payload now, rather than left for the event source mapping to
                # discard at its maximum record age with only the shard and sequence numbers.
                change = changes[position]
                rejects.append(
                    (
                        position,
                        Rejected(
                            records[position],
                            "retryable_expired",
                            last_reason[position],
                            change.listing_id,
                            change.version,
                            "retryable_expired",
                        ),
                    )
                )
                continue
            result.errors[position] = RetryableIndexingError(last_reason[position])
            result.counts["retryable"] += 1
        self._reject(rejects, result)
        return result

    def _too_old_to_wait(self, record: Any) -> bool:
        if self.park_retryable_after_seconds is None or self.failure_queue is None:
            return False
        return self.now() - record.kinesis.approximate_arrival_timestamp >= self.park_retryable_after_seconds

    def _send(
        self, positions: list[int], changes: dict[int, ListingChange], lines: dict[int, bytes]
    ) -> list[tuple[Outcome, str]]:
        try:
            response = self.client().bulk(body=b"".join(lines[p] for p in positions))
        except TransportError as exc:  # connection errors, timeouts and non-2xx whole-request answers
            return [(Outcome.RETRYABLE, f"bulk request failed: {exc}")] * len(positions)
        items = response.get("items") or []
        per_record = 2 if self.history_alias else 1
        if len(items) != per_record * len(positions):
            return [
                (Outcome.RETRYABLE, f"bulk response has {len(items)} items for {per_record * len(positions)} actions")
            ] * len(positions)
        if not response.get("errors"):
            return [(Outcome.APPLIED, "")] * len(positions)
        outcomes = []
        for number, position in enumerate(positions):
            outcome = classify(changes[position].op, items[per_record * number])
            if self.history_alias:
                outcome = combine(outcome, classify_history(items[per_record * number + 1]))
            outcomes.append(outcome)
        return outcomes

    def _reject(self, rejects: list[tuple[int, Rejected]], result: BatchResult) -> None:
        if not rejects:
            return
        if self.failure_queue is None:
            # Nowhere to park them: report them failed so the mapping's bounded retries and
            # on-failure destination take over.
            for position, rejected in rejects:
                result.errors[position] = PermanentRecordError(rejected.error_type, rejected.reason)
            result.counts["rejected_unsent"] += len(rejects)
            return
        accepted = self.failure_queue.send([rejected for _, rejected in rejects])
        for (position, rejected), ok in zip(rejects, accepted):
            if ok:
                result.counts["rejected"] += 1
            else:
                result.counts["rejected_unsent"] += 1
                result.errors[position] = RetryableIndexingError(
                    f"failure queue did not accept the rejected record ({rejected.error_type}: {rejected.reason})"
                )
