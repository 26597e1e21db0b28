"""Least-privilege rules, one module per area. ``RULES`` carries each rule's metadata and check;
``POLICIES`` are the pulumi-policy objects the pack serves."""

import os

from . import api, compute, data, events, iam, network
from ._core import apply_shipped_levels, rules_table

RULES = [*iam.RULES, *network.RULES, *api.RULES, *data.RULES, *compute.RULES, *events.RULES]
# The stack's shipped levels (config/<stack>.json), for findings the program must still fix.
SHIPPED_LEVELS = apply_shipped_levels(RULES, os.environ.get("PULUMI_STACK", ""))
POLICIES = [rule.policy for rule in RULES]

__all__ = ["POLICIES", "RULES", "SHIPPED_LEVELS", "rules_table"]
