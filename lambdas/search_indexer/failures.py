"""Permanently rejected records go to the failure queue (the same SQS queue the event source
mapping uses as its on-failure destination), so they stop blocking their shard but are not lost.

Unlike the mapping's own messages (shard and sequence range only), these carry the record itself
and the reason, so an operator can fix and replay it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .bulk import chunk

SOURCE = "search-indexer"
SQS_BATCH_ENTRIES = 10
# SQS caps a message and a whole batch at 256 KiB; keep headroom for attributes and JSON.
# (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html);
# a Kinesis record (up to 1 MiB) that does not fit is carried in several parts.
MAX_BODY_BYTES = 200 * 1024
MAX_BATCH_BYTES = 240 * 1024
PART_OVERHEAD_BYTES = 256  # the data_part object and the separators around it


@dataclass(frozen=True)
class Rejected:
    record: Any  # Powertools KinesisStreamRecord
    error_type: str
    reason: str
    listing_id: str | None = None
    version: int | None = None
    # "permanent": the record can never be indexed; "retryable_expired": it kept failing for a
    # reason that heals until it grew too old to wait longer in its shard.
    failure_kind: str = "permanent"


def message_bodies(rejected: Rejected) -> list[str]:
    """The messages that carry one rejected record: one, or several when its payload does not fit
    in one (each then holds a slice of ``data_base64`` and ``data_part``: index, count and the
    ``failure_id`` the parts share), so a record always lands with its payload."""
    kinesis = rejected.record.kinesis
    body: dict[str, Any] = {
        "source": SOURCE,
        "failure_kind": rejected.failure_kind,
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
    }
    data = kinesis.data
    whole = json.dumps({**body, "data_base64": data}, separators=(",", ":"))
    if len(whole.encode()) <= MAX_BODY_BYTES:
        return [whole]
    room = MAX_BODY_BYTES - len(json.dumps(body).encode()) - PART_OVERHEAD_BYTES
    slices = [data[start : start + room] for start in range(0, len(data), room)]
    return [
        json.dumps(
            {
                **body,
                "data_base64": piece,
                "data_part": {"failure_id": rejected.record.event_id, "index": index, "count": len(slices)},
            },
            separators=(",", ":"),
        )
        for index, piece in enumerate(slices)
    ]


def reassemble(bodies: list[dict[str, Any]]) -> bytes:
    """The record's data from the bodies of its messages (one, or every part in any order)."""
    if len(bodies) == 1 and "data_part" not in bodies[0]:
        return base64.b64decode(bodies[0]["data_base64"])
    parts = {b["data_part"]["index"]: b["data_base64"] for b in bodies}  # a resent part counts once
    if sorted(parts) != list(range(bodies[0]["data_part"]["count"])):
        raise ValueError("the parts of a failed record are incomplete")
    return base64.b64decode("".join(parts[index] for index in sorted(parts)))


class FailureQueue:
    def __init__(self, queue_url: str, sqs_client: Callable[[], Any]):
        self.queue_url = queue_url
        self._sqs_client = sqs_client

    def send(self, rejects: list[Rejected]) -> list[bool]:
        """Send every reject; returns, per reject, whether SQS accepted all of its messages."""
        owners: list[int] = []
        bodies: list[str] = []
        for owner, rejected in enumerate(rejects):
            for body in message_bodies(rejected):
                owners.append(owner)
                bodies.append(body)
        sent = [False] * len(bodies)
        for group in _batches(bodies):
            entries = [
                {
                    "Id": str(position),
                    "MessageBody": bodies[position],
                    "MessageAttributes": {
                        "source": {"DataType": "String", "StringValue": SOURCE},
                        "failure_kind": {"DataType": "String", "StringValue": rejects[owners[position]].failure_kind},
                    },
                }
                for position in group
            ]
            try:
                response = self._sqs_client().send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            except Exception:  # noqa: BLE001 - any failure leaves the records to be retried, never lost
                continue
            for entry in response.get("Successful", []):
                sent[int(entry["Id"])] = True
        accepted = [True] * len(rejects)
        for owner, ok in zip(owners, sent):
            accepted[owner] = accepted[owner] and ok
        return accepted


def _batches(bodies: list[str]) -> list[list[int]]:
    return chunk([len(body.encode()) for body in bodies], MAX_BATCH_BYTES, SQS_BATCH_ENTRIES)
