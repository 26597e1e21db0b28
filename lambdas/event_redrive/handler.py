"""Lambda behind an SQS event source mapping on the producer's buffer queue.

The whole batch is republished first (up to 10 entries per PutEvents), then Powertools' batch
processor reports every record whose entry was not accepted as a batch item failure. Lambda deletes
only the records that succeeded; the others reappear after the visibility timeout and, once the
queue's maxReceiveCount is reached, move to its dead-letter queue. The event source mapping must
have ``ReportBatchItemFailures`` enabled.

An SQS trigger (rather than a schedule) keeps the redrive independent of EventBridge, which is the
service that may be disrupted. Environment: ``EVENT_ENDPOINT_ID`` (optional), ``BUFFER_DLQ_URL``
(optional: records that can never be republished, unreadable ones or entries refused with a
non-retryable error code, are moved there at once instead of cycling until maxReceiveCount).
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from .dead_letter import send_to_dead_letter_queue
from .messages import UnreadableMessage, read_entry
from .republish import Republisher

logger = Logger()

_republisher: Republisher | None = None
_sqs: Any = None


class NotRepublished(RuntimeError):
    """This record's entry was not accepted; it stays in the queue."""


def get_republisher() -> Republisher:
    global _republisher
    if _republisher is None:
        _republisher = Republisher(endpoint_id=os.environ.get("EVENT_ENDPOINT_ID") or None)
    return _republisher


def get_sqs() -> Any:
    global _sqs
    if _sqs is None:
        _sqs = boto3.client("sqs")
    return _sqs


def reset() -> None:
    global _republisher, _sqs
    _republisher = None
    _sqs = None


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records", [])
    problems: dict[str, str] = {}
    hopeless: set[str] = set()  # can never be republished as they are
    items = []
    for record in records:
        try:
            items.append((record["messageId"], read_entry(record["body"])))
        except UnreadableMessage as error:
            problems[record["messageId"]] = f"unreadable: {error}"
            hopeless.add(record["messageId"])
    republished = get_republisher().republish(items)
    accepted = set(republished.accepted)
    problems.update(republished.failures)
    hopeless |= republished.permanent
    dead_letter_queue_url = os.environ.get("BUFFER_DLQ_URL")
    if hopeless and dead_letter_queue_url:
        bodies = {r["messageId"]: r["body"] for r in records if r["messageId"] in hopeless}
        moved = send_to_dead_letter_queue(get_sqs(), dead_letter_queue_url, bodies)
        # Reported as processed, so Lambda deletes them from the buffer.
        accepted |= moved
        logger.warning(
            "moved records that can never be republished to the dead-letter queue",
            extra={"moved": {m: problems[m] for m in sorted(moved)}},
        )
        for message_id in moved:
            problems.pop(message_id, None)
    if problems:
        logger.warning("entries not republished; they stay in the queue", extra={"failures": problems})
    logger.info("republished buffered events", extra={"accepted": len(accepted), "failed": len(problems)})

    def outcome(record: SQSRecord) -> None:
        if record.message_id not in accepted:
            raise NotRepublished(problems.get(record.message_id, "not accepted"))

    # A fully failed batch is reported item by item rather than raised: during an outage that is
    # the normal case, and failing the invocation would only add error noise.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(event=event, record_handler=outcome, processor=processor, context=context)
