"""Wiring rules, one module per area. ``RULES`` carries each rule's metadata and check;
``POLICIES`` are the pulumi-policy objects the pack serves."""

from . import delivery, lb_dns, reachability, regions
from ._core import rules_table

RULES = [*reachability.RULES, *delivery.RULES, *lb_dns.RULES, *regions.RULES]
POLICIES = [rule.policy for rule in RULES]

__all__ = ["POLICIES", "RULES", "rules_table"]
