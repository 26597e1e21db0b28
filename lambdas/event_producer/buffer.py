"""Durable store-and-forward: entries PutEvents would not take go to an SQS queue.

One SQS message per entry, so the redrive function can delete exactly the messages whose entries
were accepted and leave the rest for a later try (and, after the queue's maxReceiveCount, its DLQ).
An entry that failed with a non-retryable error (access denied, malformed detail, ...) would fail
the same way on every redrive for the queue's whole retention, so it goes straight to the buffer's
dead-letter queue, where an alarm and an operator see it (``tools/eventbridge_recovery.py`` moves
it back once the cause is fixed).
The queue lives in the producer's own Region: a disruption of EventBridge there does not take SQS
with it, and if the whole Region is gone the producer running there is gone too.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.config import Config

from .entries import batches
from .model import Buffered, Failed
from .retry import RetryPolicy, describe_call_error

# Shared with lambdas/event_redrive (which parses it with its own copy of the reader).
MESSAGE_FORMAT = "blueprints.eventbridge-buffer.v1"
_SQS_BATCH_LIMIT = 10
_SQS_BATCH_BYTES = 256 * 1024


def encode_message(failed: Failed, *, now: datetime | None = None) -> str:
    return json.dumps(
        {
            "format": MESSAGE_FORMAT,
            "entry": failed.entry,
            "reason": failed.reason,
            "attempts": failed.attempts,
            "bufferedAt": (now or datetime.now(UTC)).isoformat(),
        },
        separators=(",", ":"),
    )


def region_from_queue_url(queue_url: str) -> str | None:
    """``https://sqs.<region>.amazonaws.com/<account>/<name>`` -> ``<region>``."""
    host = urlparse(queue_url).hostname or ""
    parts = host.split(".")
    if len(parts) >= 3 and parts[0] == "sqs":
        return parts[1]
    return None


class SqsBuffer:
    def __init__(
        self,
        queue_url: str,
        *,
        dead_letter_queue_url: str | None = None,
        sqs_client: Any = None,
        region_name: str | None = None,
        delay_seconds: int = 0,
        retry: RetryPolicy = RetryPolicy(max_attempts=4, base_delay=0.05, max_delay=1.0),
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ):
        if not queue_url:
            raise ValueError("queue_url is required for the store-and-forward buffer")
        if not 0 <= delay_seconds <= 900:
            raise ValueError(f"delay_seconds must be within 0..900, got {delay_seconds}")
        self.queue_url = queue_url
        self.dead_letter_queue_url = dead_letter_queue_url or None
        self.delay_seconds = delay_seconds
        self.retry = retry
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._client = sqs_client
        self._region_name = region_name or region_from_queue_url(queue_url)

    @property
    def client(self) -> Any:
        if self._client is None:
            # Retries are ours (below); botocore's would multiply with them.
            self._client = boto3.client(
                "sqs",
                region_name=self._region_name,
                config=Config(retries={"total_max_attempts": 1}),
            )
        return self._client

    def store(self, failures: Sequence[Failed]) -> tuple[list[Buffered], list[Failed]]:
        """Store every failure; returns (stored, not stored). Never drops one silently."""
        stored: list[Buffered] = []
        not_stored: list[tuple[Failed, str]] = []
        last_error: dict[int, str] = {}
        for queue_url, group in self._by_destination(failures):
            ok, failed = self._store_in(queue_url, group, last_error)
            stored.extend(ok)
            not_stored.extend(failed)
        stored.sort(key=lambda item: item.index)
        return stored, self._unstored(not_stored, last_error)

    def _by_destination(self, failures: Sequence[Failed]) -> list[tuple[str, list[Failed]]]:
        """Retryable failures to the buffer; non-retryable ones to its DLQ when there is one."""
        if not self.dead_letter_queue_url:
            return [(self.queue_url, list(failures))]
        return [
            (self.queue_url, [f for f in failures if f.retryable]),
            (self.dead_letter_queue_url, [f for f in failures if not f.retryable]),
        ]

    def _store_in(
        self, queue_url: str, failures: list[Failed], last_error: dict[int, str]
    ) -> tuple[list[Buffered], list[tuple[Failed, str]]]:
        stored: list[Buffered] = []
        not_stored: list[tuple[Failed, str]] = []
        pending = [(failed, encode_message(failed)) for failed in failures]
        attempt = 0
        while pending:
            attempt += 1
            retry_next: list[tuple[Failed, str]] = []
            for batch in batches(
                pending,
                size_of=lambda item: len(item[1].encode("utf-8")),
                max_items=_SQS_BATCH_LIMIT,
                max_bytes=_SQS_BATCH_BYTES,
            ):
                ok, retry, permanent = self._send_batch(queue_url, batch, last_error)
                stored.extend(ok)
                retry_next.extend(retry)
                not_stored.extend(permanent)
            if retry_next and attempt >= self.retry.max_attempts:
                not_stored.extend(retry_next)
                break
            if retry_next:
                self._sleep(self.retry.delay(attempt, self._rng))
            pending = retry_next
        return stored, not_stored

    def _send_batch(
        self, queue_url: str, batch: list[tuple[Failed, str]], last_error: dict[int, str]
    ) -> tuple[list[Buffered], list[tuple[Failed, str]], list[tuple[Failed, str]]]:
        # The delay gives a disrupted Region time before the redrive's first try; the DLQ is
        # read by people, so its messages are visible at once.
        delay = self.delay_seconds if queue_url == self.queue_url else 0
        request = [{"Id": str(failed.index), "MessageBody": body, "DelaySeconds": delay} for failed, body in batch]
        try:
            response = self.client.send_message_batch(QueueUrl=queue_url, Entries=request)
        except Exception as error:  # noqa: BLE001 - classified below; unknown ones are not retried
            code, retryable = describe_call_error(error)
            for failed, _ in batch:
                last_error[failed.index] = f"{code}: {error}"
            return [], (batch if retryable else []), ([] if retryable else batch)
        by_id = {str(failed.index): (failed, body) for failed, body in batch}
        ok = []
        for success in response.get("Successful", []):
            failed, _ = by_id.pop(success["Id"])
            ok.append(
                Buffered(
                    failed.index,
                    failed.entry,
                    failed.reason,
                    success["MessageId"],
                    dead_lettered=queue_url != self.queue_url,
                )
            )
        retry, permanent = [], []
        for failure in response.get("Failed", []):
            item = by_id.pop(failure["Id"])
            last_error[item[0].index] = f"{failure.get('Code')}: {failure.get('Message', '')}"
            (permanent if failure.get("SenderFault") else retry).append(item)
        for item in by_id.values():  # neither successful nor failed: not confirmed, try again
            last_error[item[0].index] = "SQS response did not mention this message"
            retry.append(item)
        return ok, retry, permanent

    @staticmethod
    def _unstored(items: list[tuple[Failed, str]], last_error: dict[int, str]) -> list[Failed]:
        return [
            Failed(
                failed.index,
                failed.entry,
                f"{failed.reason}; buffering failed too: {last_error.get(failed.index, 'unknown')}",
                failed.attempts,
                failed.retryable,
            )
            for failed, _ in items
        ]
