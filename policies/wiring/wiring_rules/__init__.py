"""Wiring rules, one module per area. ``RULES`` carries each rule's metadata and check;
``POLICIES`` are the pulumi-policy objects the pack serves."""

from . import _compute, _network, _resource_policies, delivery, lb_dns, reachability, regions
from ._core import KNOWN_TYPES, rules_table

# The resource types the rules read: every type token the rule modules name.
KNOWN_TYPES.update(
    value
    for module in (_compute, _network, _resource_policies, delivery, lb_dns, reachability, regions)
    for value in vars(module).values()
    if isinstance(value, str) and value.startswith("aws:")
)

RULES = [*reachability.RULES, *delivery.RULES, *lb_dns.RULES, *regions.RULES]
POLICIES = [rule.policy for rule in RULES]

__all__ = ["POLICIES", "RULES", "rules_table"]
