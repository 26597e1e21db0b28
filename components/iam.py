"""IAM policy documents built as data.

Statements name their actions and resources explicitly; conditions are passed where the design
needs them (``aws:SourceVpce``, ``aws:SourceArn``, ``aws:PrincipalOrgID``...). A wildcard resource
must be justified by the caller in a comment next to the call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

Statement = dict[str, Any]

# Every role and instance profile the project creates lives under this path, so the deploy role
# (components/github_oidc.py) can be limited to managing and passing the project's own roles.
ROLE_PATH = "/blueprints/"


def statement(
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]],
    *,
    effect: str = "Allow",
    conditions: Mapping[str, Mapping[str, Any]] | None = None,
    sid: str | None = None,
) -> Statement:
    """An identity-policy statement (no principal)."""
    if not actions:
        raise ValueError("a statement needs at least one action")
    if not resources:
        raise ValueError("a statement needs at least one resource")
    result: Statement = {"Effect": effect, "Action": list(actions), "Resource": list(resources)}
    if sid:
        result["Sid"] = sid
    if conditions:
        result["Condition"] = {op: dict(values) for op, values in conditions.items()}
    return result


def resource_statement(
    principal: Mapping[str, Any],
    actions: str | Sequence[str],
    resources: pulumi.Input[str] | Sequence[pulumi.Input[str]],
    *,
    sid: str | None = None,
    conditions: Mapping[str, Mapping[str, Any]] | None = None,
) -> Statement:
    """A resource-policy statement: who (``{"Service": ...}`` or ``{"AWS": ...}``) may do what on it.

    A single action or resource may be given as a string, as AWS accepts
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html)."""
    result: Statement = {}
    if sid:
        result["Sid"] = sid
    result.update(
        {
            "Effect": "Allow",
            "Principal": dict(principal),
            "Action": actions if isinstance(actions, str) else list(actions),
            "Resource": resources if isinstance(resources, (str, pulumi.Output)) else list(resources),
        }
    )
    if conditions:
        result["Condition"] = {op: dict(values) for op, values in conditions.items()}
    return result


def policy_document(statements: Sequence[Statement]) -> pulumi.Output[str]:
    """The JSON policy document; resources may be Outputs (ARNs of other resources)."""
    if not statements:
        raise ValueError("a policy document needs at least one statement")
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


def service_trust_policy(
    service: str, *, source_account: pulumi.Input[str] | None = None, source_arn: pulumi.Input[str] | None = None
) -> pulumi.Output[str]:
    """A role trust policy for an AWS service principal, optionally bound to a source (confused deputy)."""
    trust: Statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    conditions: dict[str, dict[str, Any]] = {}
    if source_account is not None:
        conditions["StringEquals"] = {"aws:SourceAccount": source_account}
    if source_arn is not None:
        conditions["ArnLike"] = {"aws:SourceArn": source_arn}
    if conditions:
        trust["Condition"] = conditions
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [trust]})
