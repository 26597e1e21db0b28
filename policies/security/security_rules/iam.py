"""IAM rules: what identities may do."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

POLICY_TYPES = {
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/policy:Policy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def allow_statements(document: Any) -> Iterator[tuple[int, dict]]:
    """(index, statement) for each Allow statement of a policy document (a JSON string or a dict)."""
    if isinstance(document, str):
        document = json.loads(document)
    for index, stmt in enumerate(_as_list((document or {}).get("Statement", []))):
        if isinstance(stmt, dict) and stmt.get("Effect") == "Allow":
            yield index, stmt


def _documents(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    key = POLICY_TYPES.get(args.resource_type)
    if key and args.props.get(key):
        yield key, args.props[key]
    if args.resource_type == "aws:iam/role:Role":
        for inline in args.props.get("inlinePolicies") or []:
            if inline.get("policy"):
                yield f"inlinePolicies[{inline.get('name', '?')}]", inline["policy"]


def _no_wildcard_action(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for where, document in _documents(args):
        for index, stmt in allow_statements(document):
            for action in _as_list(stmt.get("Action", [])):
                if action == "*" or (isinstance(action, str) and action.endswith(":*")):
                    report_violation(f"Action::{action} in {where} Statement[{index}]: "
                                     "name the actions this identity needs instead of a wildcard.", None)


no_wildcard_action = ResourceValidationPolicy(
    name="lp-iam-no-wildcard-action",
    description="IAM policies allow named actions only: no '*' or 'service:*' in an Allow statement.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_no_wildcard_action,
)

POLICIES = [no_wildcard_action]
