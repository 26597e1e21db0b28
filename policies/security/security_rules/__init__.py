"""Least-privilege rules, one module per area. ``RULES`` carries each rule's metadata and check;
``POLICIES`` are the pulumi-policy objects the pack serves."""

from . import api, compute, data, events, iam, network
from ._core import rules_table

RULES = [*iam.RULES, *network.RULES, *api.RULES, *data.RULES, *compute.RULES, *events.RULES]
POLICIES = [rule.policy for rule in RULES]

__all__ = ["POLICIES", "RULES", "rules_table"]
