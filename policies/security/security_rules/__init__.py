"""Least-privilege rules, one module per area."""

from . import iam

POLICIES = [*iam.POLICIES]
