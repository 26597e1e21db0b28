"""GitHub Actions access to one AWS account through OIDC: no stored keys.

Per account: the GitHub OIDC identity provider, a read-only preview role that only pull requests of
the repository can assume, and a deploy role that only jobs of the named GitHub environments can
assume. In a consumer account the roles can also be assumed by the producer account's roles (the
stack's providers assume ``consumerRoleArn`` from the producer credentials).

Permissions are the actions named in ``bootstrap/permissions.yaml`` (the calls the stacks' resource
types need), limited to the account and the stack's Regions; IAM writes are limited to the
project's own role path, so the deploy role cannot touch any other role, including itself. The
table's ``service_roles`` section adds to this module's PassRole services, service-linked roles and
project-role writes; each grant is one statement of the deploy role's managed policies.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws
import yaml

from components import iam
from components.providers import child_opts

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
PERMISSIONS_FILE = Path(__file__).resolve().parent.parent / "bootstrap" / "permissions.yaml"
CI_ROLE_PATH = "/blueprints-ci/"  # outside ROLE_PATH: the deploy role cannot modify itself
# Fixed names, so a consumer account can trust the producer's roles before they exist.
PREVIEW_ROLE_NAME = "blueprints-github-preview"
DEPLOY_ROLE_NAME = "blueprints-github-deploy"
# Global services sign their requests for us-east-1 whatever Region the stack uses.
GLOBAL_SERVICES = ("iam", "route53", "budgets", "sts")
# Role writes on the project's roles (path ROLE_PATH); the table's project_role_actions add to them.
PROJECT_ROLE_ACTIONS = (
    "CreateRole",
    "DeleteRole",
    "UpdateRole",
    "UpdateAssumeRolePolicy",
    "PutRolePolicy",
    "DeleteRolePolicy",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "TagRole",
    "UntagRole",
)
# Services the stacks pass project roles to (Lambda, EC2 instance profiles, RDS Proxy, ...).
PASS_ROLE_SERVICES = (
    "lambda.amazonaws.com",
    "ec2.amazonaws.com",
    "rds.amazonaws.com",
    "events.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "apigateway.amazonaws.com",
    "es.amazonaws.com",
)
# Services whose service-linked roles a first deployment may need to create.
SERVICE_LINKED_ROLES = (
    "ecs.amazonaws.com",
    "rds.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "opensearchservice.amazonaws.com",
    "ops.apigateway.amazonaws.com",
)
# IAM's limit on a managed policy document (characters, whitespace excluded).
MANAGED_POLICY_LIMIT = 6144
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


def load_permissions(path: Path = PERMISSIONS_FILE) -> dict[str, list[str]]:
    """The table as full action names per kind: {"preview": ["ec2:DescribeVpcs", ...], "deploy": [...]}."""
    table = yaml.safe_load(path.read_text())
    result: dict[str, list[str]] = {}
    for kind in ("preview", "deploy"):
        actions = []
        for service, names in table[kind].items():
            for name in names:
                if "*" in name or "?" in name:
                    raise ValueError(f"{path}: {service}:{name} is a wildcard; name the actions instead")
                actions.append(f"{service}:{name}")
        result[kind] = actions
    return result


@dataclass(frozen=True)
class ServiceRoles:
    """The IAM grants that need a condition, each list the module's own plus the table's."""

    pass_role_to: tuple[str, ...]  # iam:PassedToService values for the project's roles
    service_linked_roles: tuple[str, ...]  # iam:AWSServiceName values for CreateServiceLinkedRole
    project_role_actions: tuple[str, ...]  # further iam: actions on the project's roles


_SERVICE_ROLE_KEYS = ("pass_role_to", "service_linked_roles", "project_role_actions")
_SERVICE_PRINCIPAL = re.compile(r"^[a-z0-9.-]+\.amazonaws\.com$")


def load_service_roles(path: Path = PERMISSIONS_FILE) -> ServiceRoles:
    """The table's ``service_roles`` section merged with this module's lists (duplicates dropped)."""
    section = yaml.safe_load(path.read_text()).get("service_roles") or {}
    if not isinstance(section, dict) or set(section) - set(_SERVICE_ROLE_KEYS):
        raise ValueError(f"{path}: service_roles takes only {', '.join(_SERVICE_ROLE_KEYS)}")
    lists: dict[str, list[str]] = {}
    for key in _SERVICE_ROLE_KEYS:
        values = section.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError(f"{path}: service_roles.{key} must be a list of names, got {values!r}")
        lists[key] = values
    for value in lists["project_role_actions"]:
        if not re.fullmatch(r"[A-Za-z]+", value):
            raise ValueError(f"{path}: service_roles.project_role_actions: {value!r} is not one IAM action name")
    for key in ("pass_role_to", "service_linked_roles"):
        for value in lists[key]:
            if not _SERVICE_PRINCIPAL.match(value):
                raise ValueError(f"{path}: service_roles.{key}: {value!r} is not a service principal (x.amazonaws.com)")

    def merged(own: tuple[str, ...], key: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*own, *lists[key]]))

    return ServiceRoles(
        pass_role_to=merged(PASS_ROLE_SERVICES, "pass_role_to"),
        service_linked_roles=merged(SERVICE_LINKED_ROLES, "service_linked_roles"),
        project_role_actions=merged(PROJECT_ROLE_ACTIONS, "project_role_actions"),
    )


def pack_policies(statements: list[iam.Statement], limit: int = MANAGED_POLICY_LIMIT) -> list[list[iam.Statement]]:
    """Groups statements into policy documents under ``limit`` characters (compact JSON), splitting
    a statement's action list where it alone is too big."""

    def size(stmts: list[iam.Statement]) -> int:
        return len(json.dumps({"Version": "2012-10-17", "Statement": stmts}, separators=(",", ":")))

    pieces: list[iam.Statement] = []
    for stmt in statements:
        actions, chunk = list(stmt["Action"]), []
        for action in actions:
            if chunk and size([{**stmt, "Action": [*chunk, action]}]) > limit:
                pieces.append({**stmt, "Action": chunk})
                chunk = []
            chunk.append(action)
        pieces.append({**stmt, "Action": chunk})
    documents: list[list[iam.Statement]] = []
    for piece in pieces:
        if documents and size([*documents[-1], piece]) <= limit:
            documents[-1].append(piece)
        else:
            documents.append([piece])
    return documents


@dataclass(frozen=True)
class GitHubDeployAccessArgs:
    repository: str  # "owner/name"
    account_id: str
    regions: tuple[str, ...]  # the Regions the stacks of this account deploy to
    deploy_environments: tuple[str, ...] = ()  # GitHub environments whose jobs may deploy here
    pull_request_previews: bool = True
    trusted_preview_role_arns: tuple[str, ...] = ()  # producer roles that read this (consumer) account
    trusted_deploy_role_arns: tuple[str, ...] = ()  # producer roles that deploy into this account
    consumer_account_ids: tuple[str, ...] = ()  # accounts whose CI roles this (producer) account assumes
    principal_org_id: str | None = None  # the AWS Organization both accounts belong to (cross-account trust)
    existing_oidc_provider_arn: str | None = None  # an account has one provider per URL

    def __post_init__(self):
        if not _REPOSITORY.match(self.repository):
            raise ValueError(f"repository must be owner/name, got {self.repository!r}")
        if not re.fullmatch(r"\d{12}", self.account_id):
            raise ValueError(f"account_id must be 12 digits, got {self.account_id!r}")
        if not self.regions:
            raise ValueError("regions must name at least one Region")
        for arn in (*self.trusted_preview_role_arns, *self.trusted_deploy_role_arns):
            if not _ROLE_ARN.match(arn):
                raise ValueError(f"trusted role ARNs must be IAM role ARNs, got {arn!r}")
        for account in self.consumer_account_ids:
            if not re.fullmatch(r"\d{12}", account) or account == self.account_id:
                raise ValueError(f"consumer_account_ids must be other 12-digit accounts, got {account!r}")
        if (self.trusted_preview_role_arns or self.trusted_deploy_role_arns) and not (
            self.principal_org_id and re.fullmatch(r"o-[a-z0-9]{10,32}", self.principal_org_id)
        ):
            raise ValueError(
                "trusting another account's roles needs principal_org_id (o-...): the trust is "
                "limited to principals of your AWS Organization"
            )
        if not (self.deploy_environments or self.trusted_deploy_role_arns):
            raise ValueError("nobody could use the deploy role: name deploy_environments or trusted_deploy_role_arns")


class GitHubDeployAccess(pulumi.ComponentResource):
    def __init__(self, name: str, args: GitHubDeployAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:github:GitHubDeployAccess", name, None, opts)
        child = child_opts(self)
        permissions = load_permissions()
        service_roles = load_service_roles()

        if args.existing_oidc_provider_arn:
            provider_arn: pulumi.Input[str] = args.existing_oidc_provider_arn
            self.oidc_provider = None
        else:
            self.oidc_provider = aws.iam.OpenIdConnectProvider(
                f"{name}-github", url=GITHUB_OIDC_URL, client_id_lists=["sts.amazonaws.com"], opts=child
            )
            provider_arn = self.oidc_provider.arn

        def trust(subjects: list[str], trusted_roles: tuple[str, ...]) -> pulumi.Output[str]:
            statements: list[dict] = []
            if subjects:
                statements.append(
                    {
                        "Effect": "Allow",
                        "Principal": {"Federated": provider_arn},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {
                            "StringEquals": {
                                f"{GITHUB_OIDC_HOST}:aud": "sts.amazonaws.com",
                                f"{GITHUB_OIDC_HOST}:sub": subjects,
                            }
                        },
                    }
                )
            if trusted_roles:
                statements.append(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": list(trusted_roles)},
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"aws:PrincipalOrgID": args.principal_org_id}},
                    }
                )
            return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})

        account, regions = args.account_id, list(args.regions)
        # Resource "*" below is for calls that name no resource (Describe, List, Create...); the
        # account condition keeps every call that does name one inside this account.
        in_account = {"StringEqualsIfExists": {"aws:ResourceAccount": account}}
        in_regions = {"StringEquals": {"aws:RequestedRegion": regions}, **in_account}

        def by_scope(actions: list[str]) -> list[iam.Statement]:
            """Regional actions bound to the stack's Regions; global services' to the account only."""
            regional = [a for a in actions if a.split(":")[0] not in GLOBAL_SERVICES]
            global_ = [a for a in actions if a.split(":")[0] in GLOBAL_SERVICES]
            return ([iam.statement(regional, ["*"], conditions=in_regions)] if regional else []) + (
                [iam.statement(global_, ["*"], conditions=in_account)] if global_ else []
            )

        read_statements = by_scope(permissions["preview"])

        def consumer_role(role_name: str) -> list[iam.Statement]:
            """Assuming the same-named CI role in each consumer account (the stack's consumer provider)."""
            arns = [f"arn:aws:iam::{c}:role{CI_ROLE_PATH}{role_name}" for c in args.consumer_account_ids]
            return [iam.statement(["sts:AssumeRole"], arns)] if arns else []

        self.preview_role = None
        if args.pull_request_previews or args.trusted_preview_role_arns:
            subjects = [f"repo:{args.repository}:pull_request"] if args.pull_request_previews else []
            self.preview_role = aws.iam.Role(
                f"{name}-preview",
                name=PREVIEW_ROLE_NAME,
                path=CI_ROLE_PATH,
                max_session_duration=3600,
                description=f"Read-only pulumi preview for pull requests of {args.repository}",
                assume_role_policy=trust(subjects, args.trusted_preview_role_arns),
                opts=child,
            )
            self.preview_policy = aws.iam.RolePolicy(
                f"{name}-preview",
                role=self.preview_role.id,
                policy=iam.policy_document([*read_statements, *consumer_role(PREVIEW_ROLE_NAME)]),
                opts=child,
            )

        project_roles = f"arn:aws:iam::{account}:role{iam.ROLE_PATH}*"
        deploy_statements = [
            *read_statements,
            *by_scope(permissions["deploy"]),
            iam.statement([f"iam:{a}" for a in service_roles.project_role_actions], [project_roles]),
            iam.statement(
                [
                    "iam:CreateInstanceProfile",
                    "iam:DeleteInstanceProfile",
                    "iam:AddRoleToInstanceProfile",
                    "iam:RemoveRoleFromInstanceProfile",
                    "iam:TagInstanceProfile",
                ],
                [f"arn:aws:iam::{account}:instance-profile{iam.ROLE_PATH}*"],
            ),
            iam.statement(
                ["iam:PassRole"],
                [project_roles],
                conditions={"StringEquals": {"iam:PassedToService": list(service_roles.pass_role_to)}},
            ),
            # A service-linked role's path names its service, role/aws-service-role/<service>/...
            # (IAM user guide, "Service-linked role permissions"); the ARN and the condition both limit it.
            iam.statement(
                ["iam:CreateServiceLinkedRole"],
                [f"arn:aws:iam::{account}:role/aws-service-role/{s}/*" for s in service_roles.service_linked_roles],
                conditions={"StringEquals": {"iam:AWSServiceName": list(service_roles.service_linked_roles)}},
            ),
            *consumer_role(DEPLOY_ROLE_NAME),
        ]
        subjects = [f"repo:{args.repository}:environment:{env}" for env in args.deploy_environments]
        self.deploy_role = aws.iam.Role(
            f"{name}-deploy",
            name=DEPLOY_ROLE_NAME,
            path=CI_ROLE_PATH,
            max_session_duration=3600 * 2,
            description=f"pulumi up from the {', '.join(args.deploy_environments) or 'producer'} environment of {args.repository}",
            assume_role_policy=trust(subjects, args.trusted_deploy_role_arns),
            opts=child,
        )
        # Managed policies (up to 6 KB each) rather than one inline document (10 KB per role in all).
        self.deploy_policies = [
            aws.iam.Policy(
                f"{name}-deploy-{index}",
                path=CI_ROLE_PATH,
                policy=iam.policy_document(document),
                description=f"blueprints deploy permissions, part {index}",
                opts=child,
            )
            for index, document in enumerate(pack_policies(deploy_statements))
        ]
        if len(self.deploy_policies) > 10:
            raise ValueError(f"{len(self.deploy_policies)} managed policies: more than a role may have attached")
        for index, policy in enumerate(self.deploy_policies):
            aws.iam.RolePolicyAttachment(
                f"{name}-deploy-{index}", role=self.deploy_role.name, policy_arn=policy.arn, opts=child
            )

        self.register_outputs(
            {
                "deployRoleArn": self.deploy_role.arn,
                "previewRoleArn": self.preview_role.arn if self.preview_role else None,
            }
        )
