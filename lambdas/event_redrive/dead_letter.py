"""Move buffer messages that can never be republished to the buffer's dead-letter queue at once.

Left in the buffer, such a message (an unreadable body, or an entry PutEvents refuses with a
non-retryable error code) would be received and refused again at every visibility timeout until
the queue's maxReceiveCount; sending it to the DLQ now puts it in front of an operator (the DLQ
alarm) without that cycle. The original body is kept, so the operator's redrive
(``tools/eventbridge_recovery.py redrive-buffer-dlq``) can move it back unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_SQS_BATCH_LIMIT = 10  # SendMessageBatch takes at most 10 messages


def send_to_dead_letter_queue(sqs_client: Any, dead_letter_queue_url: str, bodies: Mapping[str, str]) -> set[str]:
    """Send {message id: body} to the DLQ; returns the ids SQS confirmed (the others stay put)."""
    sent: set[str] = set()
    ids = list(bodies)
    for start in range(0, len(ids), _SQS_BATCH_LIMIT):
        chunk = ids[start : start + _SQS_BATCH_LIMIT]
        try:
            response = sqs_client.send_message_batch(
                QueueUrl=dead_letter_queue_url,
                Entries=[{"Id": str(n), "MessageBody": bodies[i]} for n, i in enumerate(chunk)],
            )
        except Exception:  # noqa: BLE001 - not moved: the message stays in the buffer
            continue
        sent.update(chunk[int(ok["Id"])] for ok in response.get("Successful", []))
    return sent
