"""Rules of architecture A (EventBridge global endpoints), shared by the stack config and the Args."""

from __future__ import annotations

import re

# Names EventBridge accepts (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html,
# https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEndpoint.html).
BUS_NAME = re.compile(r"^[A-Za-z0-9._-]{1,256}$")
ENDPOINT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# The alarm's TreatMissingData and the health check's InsufficientDataHealthStatus values.
TREAT_MISSING_DATA = ("missing", "notBreaching", "breaching", "ignore")
INSUFFICIENT_DATA_HEALTH = ("LastKnownStatus", "Healthy", "Unhealthy")
MAX_ARCHIVE_RETENTION_DAYS = 3650


def bus_name_problem(name: str) -> str | None:
    return None if BUS_NAME.match(name) else "an event bus name: 1-256 letters, digits, '.', '_' or '-'"


def endpoint_name_problem(name: str) -> str | None:
    return None if ENDPOINT_NAME.match(name) else "an endpoint name: 1-64 letters, digits, '.', '_' or '-'"


def archive_retention_problem(days: int) -> str | None:
    # 0 would mean "keep forever", billed forever: say so explicitly with a large number.
    return None if 1 <= days <= MAX_ARCHIVE_RETENTION_DAYS else f"between 1 and {MAX_ARCHIVE_RETENTION_DAYS} days"


def quiet_bus_problem(treat_missing_data: str, insufficient_data_health_status: str, heartbeat: bool) -> str | None:
    """Without the heartbeat the latency metric has no data while nothing is published: counting
    missing data as breaching (or insufficient data as unhealthy) would fail over a quiet bus, the
    health-check template's own warning."""
    if heartbeat:
        return None
    if treat_missing_data == "breaching" or insufficient_data_health_status == "Unhealthy":
        return "a quiet bus would fail over: turn the heartbeat on, or treat missing data as 'missing'"
    return None
