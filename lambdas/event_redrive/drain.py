"""Drain the buffer queue by polling, for use outside the SQS event source mapping.

An operator (or a test) can republish everything buffered without waiting for the Lambda's
event source. A message is deleted only after PutEvents accepted its entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .messages import UnreadableMessage, read_entry
from .republish import Republisher


@dataclass
class DrainReport:
    received: int = 0
    republished: int = 0
    deleted: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # message id -> reason (left in queue)
    delete_failed: dict[str, str] = field(default_factory=dict)  # republished, not deleted


def drain_queue(
    queue_url: str,
    *,
    republisher: Republisher,
    sqs_client: Any,
    max_rounds: int = 100,
    visibility_timeout: int = 60,
) -> DrainReport:
    """Receive, republish, delete accepted; stop when a receive comes back empty."""
    report = DrainReport()
    for _ in range(max_rounds):
        messages = sqs_client.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=0,
            VisibilityTimeout=visibility_timeout,
        ).get("Messages", [])
        if not messages:
            break
        report.received += len(messages)
        items = []
        handles = {}
        for message in messages:
            try:
                items.append((message["MessageId"], read_entry(message["Body"])))
                handles[message["MessageId"]] = message["ReceiptHandle"]
            except UnreadableMessage as error:
                report.failed[message["MessageId"]] = str(error)
        accepted, failures, _ = republisher.republish(items)
        report.failed.update(failures)
        report.republished += len(accepted)
        if accepted:
            response = sqs_client.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": handles[message_id]}
                    for n, message_id in enumerate(sorted(accepted))
                ],
            )
            ids = sorted(accepted)
            report.deleted += len(response.get("Successful", []))
            for failure in response.get("Failed", []):
                # Published but still in the queue: it will be published again (duplicates
                # are handled by the idempotent consumers); never the other way round.
                report.delete_failed[ids[int(failure["Id"])]] = failure.get("Code", "")
    return report
