"""A PutEvents producer that never loses an event silently.

``deliver`` sends entries (through a global endpoint when ``endpoint_id`` is set) in batches of
at most 10, retries only the entries that failed, with exponential backoff and full jitter, until
they are accepted, the attempts run out or the deadline comes. ``publish`` does the same and then
stores what is still failing in the durable buffer; anything the buffer cannot take is raised as
``EventsNotDeliveredError``. Every entry is accounted for in the result.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

import boto3
from botocore.compat import HAS_CRT
from botocore.config import Config

from .entries import MAX_REQUEST_BYTES, batches, entry_size, normalise_entries
from .model import (
    Buffered,
    Delivered,
    DeliveryResult,
    EventsNotDeliveredError,
    Failed,
    PublishResult,
)
from .retry import RetryPolicy, describe_call_error, is_retryable_entry_error


class Buffer(Protocol):
    def store(self, failures: Sequence[Failed]) -> tuple[list[Buffered], list[Failed]]: ...


class EventProducer:
    def __init__(
        self,
        *,
        event_bus_name: str,
        endpoint_id: str | None = None,
        region_name: str | None = None,
        buffer: Buffer | None = None,
        retry: RetryPolicy = RetryPolicy(),
        events_client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        logger: logging.Logger | Any = None,
        max_request_bytes: int = MAX_REQUEST_BYTES,
    ):
        if not event_bus_name:
            raise ValueError("event_bus_name is required (a global endpoint validates it)")
        if endpoint_id is not None and not endpoint_id.strip():
            raise ValueError("endpoint_id must be a non-empty string or None")
        if endpoint_id and events_client is None and not HAS_CRT:
            # Global endpoint calls are signed with SigV4a, which botocore only does through
            # the AWS Common Runtime. Fail now rather than at the first event.
            raise RuntimeError(
                "PutEvents through a global endpoint needs SigV4a signing: install awscrt (pip install 'boto3[crt]')"
            )
        self.event_bus_name = event_bus_name
        self.endpoint_id = endpoint_id or None
        self.region_name = region_name
        self.buffer = buffer
        self.retry = retry
        self.max_request_bytes = max_request_bytes
        self._client = events_client
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._log = logger or logging.getLogger(__name__)

    @property
    def events_client(self) -> Any:
        if self._client is None:
            # Backoff is done here, per entry, so botocore's own retries are switched off:
            # stacked retry loops make the time budget unpredictable.
            self._client = boto3.client(
                "events",
                region_name=self.region_name,
                config=Config(retries={"total_max_attempts": 1}),
            )
        return self._client

    # -- public API ----------------------------------------------------------------------------

    def publish(self, entries: Iterable[Mapping[str, Any]], *, deadline: float | None = None) -> PublishResult:
        """Deliver, buffer what still fails, raise EventsNotDeliveredError for the rest.

        ``deadline`` is a ``clock()`` value after which no further retry starts (the remaining
        failures go straight to the buffer); a Lambda handler derives it from its remaining time.
        """
        delivery = self.deliver(entries, deadline=deadline)
        buffered: list[Buffered] = []
        undelivered = list(delivery.failed)
        if delivery.failed and self.buffer is not None:
            buffered, undelivered = self.buffer.store(delivery.failed)
            if buffered:
                self._log.warning(
                    "stored %d events in the store-and-forward buffer for a later redrive",
                    len(buffered),
                )
        elif delivery.failed:
            undelivered = [
                Failed(f.index, f.entry, f"{f.reason}; no buffer configured", f.attempts, f.retryable)
                for f in delivery.failed
            ]
        result = PublishResult(delivery.delivered, buffered, undelivered)
        if undelivered:
            self._log.error(
                "%d events neither delivered nor buffered: %s",
                len(undelivered),
                sorted({f.reason for f in undelivered}),
            )
            raise EventsNotDeliveredError(result)
        return result

    def deliver(self, entries: Iterable[Mapping[str, Any]], *, deadline: float | None = None) -> DeliveryResult:
        """Send entries with retries; returns what was accepted and what finally failed."""
        normalised = normalise_entries(entries, default_bus_name=self.event_bus_name)
        pending: list[tuple[int, dict[str, Any]]] = list(enumerate(normalised))
        delivered: list[Delivered] = []
        final_failures: list[Failed] = []
        attempt = 0
        while pending:
            attempt += 1
            to_retry: list[Failed] = []
            for batch in batches(pending, size_of=lambda item: entry_size(item[1]), max_bytes=self.max_request_bytes):
                accepted, failed = self._put_batch(batch, attempt)
                delivered.extend(accepted)
                for failure in failed:
                    (to_retry if failure.retryable else final_failures).append(failure)
            if not to_retry:
                break
            if attempt >= self.retry.max_attempts:
                final_failures.extend(
                    _with_reason(f, f"gave up after {attempt} attempts: {f.reason}") for f in to_retry
                )
                break
            delay = self.retry.delay(attempt, self._rng)
            if deadline is not None and self._clock() + delay > deadline:
                final_failures.extend(
                    _with_reason(f, f"out of time after {attempt} attempts: {f.reason}") for f in to_retry
                )
                break
            self._log.info(
                "retrying %d failed entries in %.3fs (attempt %d of %d)",
                len(to_retry),
                delay,
                attempt + 1,
                self.retry.max_attempts,
            )
            self._sleep(delay)
            pending = [(f.index, f.entry) for f in to_retry]
        final_failures.sort(key=lambda f: f.index)
        delivered.sort(key=lambda d: d.index)
        return DeliveryResult(delivered, final_failures)

    # -- one PutEvents call ---------------------------------------------------------------------

    def _put_batch(self, batch: list[tuple[int, dict[str, Any]]], attempt: int) -> tuple[list[Delivered], list[Failed]]:
        request: dict[str, Any] = {"Entries": [entry for _, entry in batch]}
        if self.endpoint_id:
            request["EndpointId"] = self.endpoint_id
        try:
            response = self.events_client.put_events(**request)
        except Exception as error:  # noqa: BLE001 - classified; the entries are kept either way
            code, retryable = describe_call_error(error)
            reason = f"{code}: {error}"
            return [], [Failed(i, e, reason, attempt, retryable) for i, e in batch]

        results = response.get("Entries") or []
        accepted: list[Delivered] = []
        failed: list[Failed] = []
        for position, (index, entry) in enumerate(batch):
            result = results[position] if position < len(results) else None
            if result is None:
                # The response does not account for this entry: assume it was not accepted.
                failed.append(Failed(index, entry, "no result for this entry", attempt, True))
            elif result.get("ErrorCode"):
                code = result["ErrorCode"]
                failed.append(
                    Failed(
                        index,
                        entry,
                        f"{code}: {result.get('ErrorMessage', '')}".rstrip(": "),
                        attempt,
                        is_retryable_entry_error(code),
                    )
                )
            elif result.get("EventId"):
                accepted.append(Delivered(index, entry, result["EventId"]))
            else:
                failed.append(Failed(index, entry, "result has neither EventId nor ErrorCode", attempt, True))
        return accepted, failed


def _with_reason(failed: Failed, reason: str) -> Failed:
    return Failed(failed.index, failed.entry, reason, failed.attempts, failed.retryable)
