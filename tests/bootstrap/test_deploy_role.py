"""The CI deploy role (bootstrap/) can create, update and delete everything the stacks hold.

For every AWS resource type in the dev and prod previews (plus the types other settings switch on),
the IAM actions its create, update and delete need come from the CloudFormation resource schemas'
handler permissions (``cfn_handler_permissions.json``, see ``refresh_cfn_handler_permissions.py``)
or, for types CloudFormation lacks, from the provider's calls (``resource_types.DIRECT_ACTIONS``).
Each is evaluated against the deploy role's policies, as the bootstrap program builds them, with
the request's Region, account and IAM condition keys. ``not_needed.yaml`` lists, with reasons, the
handler permissions the role deliberately lacks.
"""

from __future__ import annotations

import fnmatch
import json
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from tests.bootstrap.policy_matcher import Request, allows, statement_allows
from tests.bootstrap.resource_types import (
    CLOUDFORMATION_TYPES,
    DIRECT_ACTIONS,
    EC2_ALARM_ACTION_SERVICE_LINKED_ROLE,
    PASSED_TO_SERVICE,
    SERVICE_LINKED_ROLE_OF,
    TYPES_UNDER_OTHER_SETTINGS,
)

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ACCOUNT = "111111111111"  # bootstrap/Pulumi.dev.yaml
DEPLOY_ROLE_NAME = "blueprints-github-deploy"
PROJECT_ROLE = f"arn:aws:iam::{ACCOUNT}:role/blueprints/some-function-role"
HANDLER_PERMISSIONS = json.loads((HERE / "cfn_handler_permissions.json").read_text())
NOT_NEEDED = [a for actions in yaml.safe_load((HERE / "not_needed.yaml").read_text()).values() for a in actions]


@lru_cache(maxsize=1)
def deploy_statements() -> tuple[dict, ...]:
    """Every statement of the deploy role as the bootstrap program (dev stack) builds it."""
    from preview.engine import run_program

    run = run_program(ROOT / "bootstrap", "dev")
    documents = [r.inputs["policy"] for r in run.resources if r.type == "aws:iam/policy:Policy"]
    documents += [
        r.inputs["policy"]
        for r in run.resources
        if r.type == "aws:iam/rolePolicy:RolePolicy" and r.inputs.get("role") == DEPLOY_ROLE_NAME
    ]
    return tuple(s for d in documents for s in json.loads(d)["Statement"])


def not_needed(action: str) -> bool:
    return any(fnmatch.fnmatch(action.lower(), pattern.lower()) for pattern in NOT_NEEDED)


def requests_for(pulumi_type: str, region: str, alarm_actions: tuple[str, ...] = ()) -> list[tuple[str, Request]]:
    """(why, request) for everything creating, updating and deleting one resource of this type needs."""
    where = {"aws:RequestedRegion": region, "aws:ResourceAccount": ACCOUNT}
    found = [(pulumi_type, request_for(action, None, where)) for action in DIRECT_ACTIONS.get(pulumi_type, [])]
    for cfn_type in CLOUDFORMATION_TYPES[pulumi_type]:
        for operation, actions in HANDLER_PERMISSIONS[cfn_type].items():
            found += [
                (f"{pulumi_type} ({cfn_type} {operation})", request)
                for request in (request_for(a, cfn_type, where) for a in actions if not not_needed(a))
                if request is not None
            ]
    if any(a.startswith("arn:aws:automate:") for a in alarm_actions):
        found.append(
            (
                f"{pulumi_type} with an EC2 alarm action",
                service_linked_role_request(EC2_ALARM_ACTION_SERVICE_LINKED_ROLE, where),
            )
        )
    return found


def request_for(action: str, cfn_type: str | None, where: dict) -> Request | None:
    """The request one action makes, with the resource and condition keys IAM sees; None if the
    type needs it only for a feature the stacks do not use."""
    if action == "iam:PassRole":
        if cfn_type not in PASSED_TO_SERVICE:
            return None  # the type takes a role only for a feature the stacks do not use
        return Request(action, PROJECT_ROLE, {**where, "iam:PassedToService": PASSED_TO_SERVICE[cfn_type]})
    if action == "iam:CreateServiceLinkedRole":
        service = SERVICE_LINKED_ROLE_OF.get(cfn_type or "")
        return service_linked_role_request(service, where) if service else None
    if action.startswith("iam:"):
        # Role and instance-profile writes, on the project's path (the role-path test below checks
        # the path of each role the previews hold).
        if "InstanceProfile" in action:
            return Request(action, PROJECT_ROLE.replace(":role/", ":instance-profile/"), where)
        return Request(action, PROJECT_ROLE, where)
    return Request(action, "*", where)


def service_linked_role_request(service: str, where: dict) -> Request:
    return Request(
        "iam:CreateServiceLinkedRole",
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/{service}/AWSServiceRoleFor",
        {**where, "iam:AWSServiceName": service},
    )


def stack_resources(shipped_stack):
    for stack in ("dev", "prod"):
        for resource in shipped_stack(stack).resources:
            if resource.custom and resource.type.startswith("aws:"):
                yield resource


def test_every_preview_type_is_mapped(shipped_stack):
    unmapped = sorted({r.type for r in stack_resources(shipped_stack)} - set(CLOUDFORMATION_TYPES))
    assert not unmapped, f"add these types to tests/bootstrap/resource_types.py: {unmapped}"


def test_the_deploy_role_allows_what_every_resource_type_needs(shipped_stack):
    statements = deploy_statements()
    needed: dict[tuple, str] = {}
    for resource in stack_resources(shipped_stack):
        actions = tuple(resource.inputs.get("alarmActions") or ()) + tuple(resource.inputs.get("okActions") or ())
        for why, request in requests_for(resource.type, resource.region or "us-east-1", actions):
            needed.setdefault((request.action, request.resource, tuple(sorted(request.context.items()))), why)
    for pulumi_type in TYPES_UNDER_OTHER_SETTINGS:
        for why, request in requests_for(pulumi_type, "us-east-1"):
            needed.setdefault((request.action, request.resource, tuple(sorted(request.context.items()))), why)
    denied = sorted(
        f"{action} on {resource} {dict(context).get('iam:PassedToService') or dict(context).get('iam:AWSServiceName') or ''}"
        f" <- {why}"
        for (action, resource, context), why in needed.items()
        if not allows(statements, Request(action, resource, dict(context)))
    )
    assert not denied, "the deploy role lacks:\n" + "\n".join(denied)


def test_every_role_the_stacks_create_is_on_a_path_the_deploy_role_may_write(shipped_stack):
    statements = deploy_statements()
    outside = sorted(
        f"{r.outputs.get('name') or r.name} (path {r.inputs.get('path') or '/'})"
        for r in stack_resources(shipped_stack)
        if r.type == "aws:iam/role:Role"
        and not allows(
            statements,
            Request(
                "iam:CreateRole",
                f"arn:aws:iam::{ACCOUNT}:role{r.inputs.get('path') or '/'}{r.outputs.get('name') or r.name}",
                {"aws:ResourceAccount": ACCOUNT},
            ),
        )
    )
    assert not outside, f"roles the deploy role cannot create: {outside}"


# -- the matcher itself ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_, allowed",
    [
        (Request("iam:PassRole", PROJECT_ROLE, {"iam:PassedToService": "scheduler.amazonaws.com"}), True),
        (Request("iam:PassRole", PROJECT_ROLE, {"iam:PassedToService": "glue.amazonaws.com"}), False),
        (Request("iam:PassRole", PROJECT_ROLE), False),  # StringEquals on an absent key fails
        (Request("iam:passrole", PROJECT_ROLE, {"iam:PassedToService": "scheduler.amazonaws.com"}), True),
        (
            Request(
                "iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/admin", {"iam:PassedToService": "scheduler.amazonaws.com"}
            ),
            False,
        ),
        (Request("sqs:CreateQueue", "*", {"aws:RequestedRegion": "eu-west-1"}), False),
        (Request("sqs:CreateQueue", "*", {"aws:RequestedRegion": "us-east-1"}), True),
    ],
)
def test_the_matcher_applies_actions_resources_and_conditions(request_, allowed):
    statements = [
        {
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": ["arn:aws:iam::*:role/blueprints/*"],
            "Condition": {"StringEquals": {"iam:PassedToService": ["scheduler.amazonaws.com"]}},
        },
        {
            "Effect": "Allow",
            "Action": ["sqs:Create*"],
            "Resource": ["*"],
            "Condition": {
                "StringEquals": {"aws:RequestedRegion": ["us-east-1"]},
                "StringEqualsIfExists": {"aws:ResourceAccount": ACCOUNT},
            },
        },
    ]
    assert allows(statements, request_) is allowed
    assert statement_allows({**statements[0], "Effect": "Deny"}, request_) is False
