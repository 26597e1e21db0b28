"""Least-privilege rules, one module per area. ``RULES`` carries each rule's metadata and check;
``POLICIES`` are the pulumi-policy objects the pack serves."""

import os

from . import api, compute, data, events, iam, network, vpc
from ._core import apply_shipped_levels, rules_table
from .anchors import ANCHORS

RULES = [*iam.RULES, *network.RULES, *vpc.RULES, *api.RULES, *data.RULES, *compute.RULES, *events.RULES]
for _rule in RULES:
    _rule.anchors = ANCHORS[_rule.name]  # a KeyError here: a new rule needs its line in anchors.py
# The stack's shipped levels (config/<stack>.json), for findings the program must still fix.
SHIPPED_LEVELS = apply_shipped_levels(RULES, os.environ.get("PULUMI_STACK", ""))
POLICIES = [rule.policy for rule in RULES]

__all__ = ["POLICIES", "RULES", "SHIPPED_LEVELS", "rules_table"]
