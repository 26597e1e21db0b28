"""The consumer's business effect: a per-customer order ledger in DynamoDB.

Adding an order is deliberately not idempotent on its own (a counter and a running total), which
is exactly why the handler wraps it in Powertools idempotency.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

ORDER_DETAIL_TYPE = "OrderCreated"


class InvalidOrderEvent(ValueError):
    """The event is not an order this consumer can record (goes to the DLQ after retries)."""


@dataclass(frozen=True)
class Order:
    order_id: str
    customer_id: str
    order_total: Decimal
    order_date: str | None
    origin_region: str | None

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Order:
        if event.get("detail-type") != ORDER_DETAIL_TYPE:
            raise InvalidOrderEvent(f"expected detail-type {ORDER_DETAIL_TYPE!r}, got {event.get('detail-type')!r}")
        detail = event.get("detail")
        if not isinstance(detail, dict):
            raise InvalidOrderEvent("the event has no detail object")
        problems = [
            key for key in ("order_id", "customer_id") if not isinstance(detail.get(key), str) or not detail[key]
        ]
        try:
            total = Decimal(str(detail.get("order_total")))
            if not total.is_finite() or total < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            problems.append("order_total")
            total = Decimal(0)
        if problems:
            raise InvalidOrderEvent(f"missing or invalid detail fields: {problems}")
        return cls(
            order_id=detail["order_id"],
            customer_id=detail["customer_id"],
            order_total=total,
            order_date=detail.get("order_date"),
            origin_region=event.get("region"),
        )


def record_order(table: Any, order: Order) -> dict[str, Any]:
    """Add the order to its customer's totals; returns the customer's new totals."""
    response = table.update_item(
        Key={"customer_id": order.customer_id},
        UpdateExpression=(
            "ADD order_count :one, order_total :total SET last_order_id = :order_id, last_order_region = :region"
        ),
        ExpressionAttributeValues={
            ":one": 1,
            ":total": order.order_total,
            ":order_id": order.order_id,
            ":region": order.origin_region or "unknown",
        },
        ReturnValues="ALL_NEW",
    )
    return response["Attributes"]
