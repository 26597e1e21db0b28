"""What happened to each entry handed to the producer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Delivered:
    index: int
    entry: dict[str, Any]
    event_id: str


@dataclass(frozen=True)
class Failed:
    """An entry PutEvents did not accept (yet); ``reason`` is the last error seen."""

    index: int
    entry: dict[str, Any]
    reason: str
    attempts: int
    retryable: bool


@dataclass(frozen=True)
class Buffered:
    """An entry stored in the durable buffer, to be republished by the redrive function."""

    index: int
    entry: dict[str, Any]
    reason: str
    message_id: str
    # True when the entry can never be accepted as it is (a non-retryable PutEvents error) and
    # went straight to the buffer's dead-letter queue for an operator instead of the buffer.
    dead_lettered: bool = False


@dataclass(frozen=True)
class DeliveryResult:
    delivered: list[Delivered] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)


@dataclass(frozen=True)
class PublishResult:
    """Every entry given to ``publish`` ends up in exactly one of these lists."""

    delivered: list[Delivered] = field(default_factory=list)
    buffered: list[Buffered] = field(default_factory=list)
    undelivered: list[Failed] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.delivered) + len(self.buffered) + len(self.undelivered)

    def statuses(self) -> list[dict[str, Any]]:
        """One status per entry, in the caller's order."""
        by_index: dict[int, dict[str, Any]] = {}
        for item in self.delivered:
            by_index[item.index] = {"status": "delivered", "eventId": item.event_id}
        for item in self.buffered:
            by_index[item.index] = {
                "status": "dead-lettered" if item.dead_lettered else "buffered",
                "messageId": item.message_id,
                "reason": item.reason,
            }
        for item in self.undelivered:
            by_index[item.index] = {"status": "undelivered", "reason": item.reason}
        return [by_index[i] for i in sorted(by_index)]


class EventsNotDeliveredError(RuntimeError):
    """Some entries were neither accepted by EventBridge nor stored in the buffer.

    Raised, never swallowed: the caller still holds these events and must keep them (for a
    Lambda, failing the invocation hands them back to the invoker's own retry).
    """

    def __init__(self, result: PublishResult):
        self.result = result
        self.undelivered = result.undelivered
        reasons = sorted({f.reason for f in result.undelivered})
        super().__init__(
            f"{len(result.undelivered)} of {result.total} events were neither delivered nor "
            f"buffered ({len(result.delivered)} delivered, {len(result.buffered)} buffered); "
            f"reasons: {reasons}"
        )
