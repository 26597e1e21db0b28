"""Which Region's consumer handles an event: the one in the Region the event originated in.

With a global endpoint and replication, every event reaches both Regions: the copy routed by the
endpoint and the copy the managed replication rule forwards. The copies are "identical except for
the id", and ``region`` names the Region whose bus the endpoint routed the event to ("Introducing
global endpoints for Amazon EventBridge", seed S3:1629-1635; research/seed-spec.md §1 item 5).
Idempotency records live in each Region's own table, so if both Regions processed their copy the
order would be recorded twice. So each Region processes only events that originated in it:

- normal operation: events carry the primary Region, the primary processes them, the secondary
  skips the replicated copies;
- failed over: events carry the secondary Region and are processed there; when the primary comes
  back, the copies replicated to it are skipped;
- the gap (events the primary accepted but could not process before the failover): an operator
  replays that window from the archive (``tools/eventbridge_recovery.py replay``). Replayed events
  carry a ``replay-name`` field (EventBridge user guide, "Replaying archived events"; modelled as
  ``replay_name`` in aws_lambda_powertools/utilities/parser/models/event_bridge.py), and a replay is
  a deliberate operator request for this Region, so it is processed whatever its origin.
"""

from __future__ import annotations

from typing import Any


def skip_reason(event: dict[str, Any], consumer_region: str) -> str | None:
    """None when this Region's consumer should process the event, else why it skips it."""
    if event.get("replay-name"):
        return None
    origin = event.get("region")
    if not origin or origin == consumer_region:
        return None
    return f"originated in {origin}; its consumer there handles it (this is {consumer_region})"
