"""Permanently rejected records go to the failure queue (the same SQS queue the event source
mapping uses as its on-failure destination), so they stop blocking their shard but are not lost.

Unlike the mapping's own messages (shard and sequence range only), these carry the record itself
and the reason, so an operator can fix and replay it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Callable

from .bulk import chunk

SOURCE = "search-indexer"
SQS_BATCH_ENTRIES = 10
# SQS caps a message and a whole batch at 256 KiB; keep headroom for attributes and JSON.
MAX_BODY_BYTES = 200 * 1024
MAX_BATCH_BYTES = 240 * 1024


@dataclass(frozen=True)
class Rejected:
    record: Any  # Powertools KinesisStreamRecord
    error_type: str
    reason: str
    listing_id: str | None = None
    version: int | None = None


def message_body(rejected: Rejected) -> str:
    kinesis = rejected.record.kinesis
    body: dict[str, Any] = {
        "source": SOURCE,
        "failure_kind": "permanent",
        "error_type": rejected.error_type,
        "reason": rejected.reason[:4000],
        "event_source_arn": rejected.record.event_source_arn,
        "event_id": rejected.record.event_id,
        "shard_id": rejected.record.event_id.split(":", 1)[0],
        "sequence_number": kinesis.sequence_number,
        "partition_key": kinesis.partition_key,
        "approximate_arrival_timestamp": kinesis.approximate_arrival_timestamp,
        "listing_id": rejected.listing_id,
        "version": rejected.version,
        "data_base64": kinesis.data,
    }
    text = json.dumps(body, separators=(",", ":"))
    if len(text.encode()) > MAX_BODY_BYTES:
        # Too big to carry: the shard and sequence number still find it in the stream (retention).
        body["data_base64"] = None
        body["data_omitted_bytes"] = len(base64.b64decode(kinesis.data))
        text = json.dumps(body, separators=(",", ":"))
    return text


class FailureQueue:
    def __init__(self, queue_url: str, sqs_client: Callable[[], Any]):
        self.queue_url = queue_url
        self._sqs_client = sqs_client

    def send(self, rejects: list[Rejected]) -> list[bool]:
        """Send every reject; returns, per reject, whether SQS accepted it."""
        accepted = [False] * len(rejects)
        bodies = [message_body(r) for r in rejects]
        for group in _batches(bodies):
            entries = [
                {
                    "Id": str(position),
                    "MessageBody": bodies[position],
                    "MessageAttributes": {
                        "source": {"DataType": "String", "StringValue": SOURCE},
                        "failure_kind": {"DataType": "String", "StringValue": "permanent"},
                    },
                }
                for position in group
            ]
            try:
                response = self._sqs_client().send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            except Exception:  # noqa: BLE001 - any failure leaves the records to be retried, never lost
                continue
            for entry in response.get("Successful", []):
                accepted[int(entry["Id"])] = True
        return accepted


def _batches(bodies: list[str]) -> list[list[int]]:
    return chunk([len(body.encode()) for body in bodies], MAX_BATCH_BYTES, SQS_BATCH_ENTRIES)
