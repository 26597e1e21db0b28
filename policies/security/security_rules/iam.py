"""IAM rules: what identities may do, and who may become them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from pulumi_policy import EnforcementLevel, Severity

from ._core import (
    Finding,
    Item,
    Res,
    RuleConfig,
    Stack,
    Undecided,
    as_list,
    each_item,
    glob_match,
    is_unknown,
    resource_rule,
    stack_rule,
)
from ._documents import Statement, account_of, expand, scopable, statements_or_findings
from ._options import bool_option, list_option

ROLE = "aws:iam/role:Role"
IDENTITY_POLICY_TYPES = {
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/policy:Policy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
IDENTITY_DOCUMENT_TYPES = frozenset({*IDENTITY_POLICY_TYPES, ROLE})


def identity_statements(res: Res) -> Iterator[Statement | Finding | Undecided]:
    """Statements of every identity-policy document a resource carries (a role's inline ones too)."""
    key = IDENTITY_POLICY_TYPES.get(res.type)
    if key:
        document = res.props.get(key)
        if document is not None:
            yield from statements_or_findings(document, key)
    if res.type == ROLE:
        inline = res.props.get("inlinePolicies")
        for index, entry in enumerate(each_item(inline)):
            if isinstance(entry, Undecided):
                yield entry
                continue
            label = f"inlinePolicies[{entry.get('name') or index}]"
            if entry.get("policy") is not None:
                yield from statements_or_findings(entry["policy"], label)


def _allow_statements(res: Res) -> Iterator[Statement | Finding | Undecided]:
    for item in identity_statements(res):
        if not isinstance(item, Statement) or item.allows:
            yield item


def _per_allow_statement(
    judge: Callable[[Statement, RuleConfig], Iterator[Item]],
) -> Callable[[Res, RuleConfig], Iterator[Item]]:
    """A check of a resource's identity policies, one Allow statement at a time; what is not a statement
    (an invalid or unknown document) is yielded where it comes."""

    def check(res: Res, cfg: RuleConfig) -> Iterator[Item]:
        for stmt in _allow_statements(res):
            if isinstance(stmt, Statement):
                yield from judge(stmt, cfg)
            else:
                yield stmt

    return check


# --- lp-iam-no-wildcard-action -----------------------------------------------------------------


@_per_allow_statement
def _no_wildcard_action(stmt: Statement, cfg: RuleConfig) -> Iterator[Item]:
    for action in stmt.not_actions:
        yield Finding(
            f"NotAction::{action}",
            stmt.where,
            "Allow with NotAction grants every action except the ones listed: list the actions "
            "this identity needs in Action instead.",
        )
    for action in stmt.actions:
        if action == "*":
            yield Finding(
                "Action::*",
                stmt.where,
                "grants every action on every service: name the actions this identity needs.",
            )
        elif re.fullmatch(r"[a-z0-9-]+:\*", action):
            yield Finding(
                f"Action::{action}",
                stmt.where,
                f"grants every {action.split(':')[0]} action: name the actions this identity needs.",
            )
        elif ("*" in action or "?" in action) and cfg["flagPartialWildcards"]:
            names, _ = expand(action)
            sample = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")
            yield Finding(
                f"Action::{action}",
                stmt.where,
                f"matches {len(names)} actions ({sample or 'none known'}), today and any added "
                "later: name the ones this identity needs.",
            )


no_wildcard_action = resource_rule(
    name="lp-iam-no-wildcard-action",
    description=(
        "IAM policies allow named actions only: replace '*', 'service:*' and other action wildcards "
        "(and Allow+NotAction) with the list of actions the identity needs."
    ),
    types=IDENTITY_DOCUMENT_TYPES,
    check=_no_wildcard_action,
    config={
        "flagPartialWildcards": bool_option(
            True,
            "Also flag partial wildcards such as 's3:Get*' (cdk-nag IAM5 does); '*' and 'service:*' "
            "are always flagged.",
        )
    },
)


# --- lp-iam-no-wildcard-resource ---------------------------------------------------------------

# Conditions that scope a statement to resources even with Resource "*" (ABAC, resource account).
_SCOPING_CONDITION = re.compile(
    r"^(aws:ResourceAccount|aws:ResourceOrgID|aws:ResourceOrgPaths|"
    r"[a-z0-9-]+:ResourceTag/.+)$",
    re.IGNORECASE,
)


@_per_allow_statement
def _no_wildcard_resource(stmt: Statement, cfg: RuleConfig) -> Iterator[Item]:
    exempt = list(cfg["exemptActions"])
    for resource in stmt.not_resources:
        yield Finding(
            f"NotResource::{resource}",
            stmt.where,
            "Allow with NotResource grants every resource except the ones listed: list the ARNs in Resource instead.",
        )
    if "*" not in stmt.resources or any(_SCOPING_CONDITION.match(k) for k in stmt.condition_keys()):
        return
    for action in stmt.actions:
        if any(glob_match(e.lower(), action.lower()) for e in exempt):
            continue
        if action == "*":
            yield Finding(
                "Resource::*",
                stmt.where,
                "every action on every resource: name the actions and the ARNs they apply to.",
                subject="*",
            )
            continue
        if "*" in action or "?" in action:
            names, known = expand(action)
            scoped = [n for n in names if scopable(n)]
            if scoped:
                sample = ", ".join(scoped[:4]) + (", ..." if len(scoped) > 4 else "")
                yield Finding(
                    "Resource::*",
                    stmt.where,
                    f"{action} covers {len(scoped)} actions that accept resource ARNs ({sample}): "
                    "name the ARNs they need.",
                    subject=action,
                )
            elif not known:
                yield Finding(
                    "Resource::*",
                    stmt.where,
                    f"{action} matches no IAM action known to the pack's "
                    "IAM data, so it cannot tell whether ARNs apply: name the actions.",
                    subject=action,
                )
            continue
        verdict = scopable(action)
        if verdict is None:
            yield Finding(
                "Resource::*",
                stmt.where,
                f"{action} is not an IAM action known to the pack's IAM data (a typo, or newer than "
                "the data), so it cannot tell whether it accepts ARNs: check the name, name the "
                "ARNs, or add an exception with a reason.",
                subject=action,
            )
        elif verdict:
            yield Finding(
                "Resource::*",
                stmt.where,
                f"{action} accepts resource ARNs: grant it on the ARNs it needs, not '*'.",
                subject=action,
            )


no_wildcard_resource = resource_rule(
    name="lp-iam-no-wildcard-resource",
    description=(
        "IAM policies grant actions on named ARNs: 'Resource: *' is only for actions that accept no "
        "resource ARN (from the IAM service authorization data). Replace it with the ARNs, or scope the "
        "statement with an aws:ResourceTag/aws:ResourceAccount condition."
    ),
    types=IDENTITY_DOCUMENT_TYPES,
    check=_no_wildcard_resource,
    config={
        "exemptActions": list_option(
            [], "Action globs never flagged for 'Resource: *' (on top of the actions IAM cannot scope)."
        )
    },
)


# --- lp-iam-no-aws-managed-policies ------------------------------------------------------------

_MANAGED_ARN = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(.+)$")
# Administrator-level policies: never acceptable for a workload, whatever the config says.
_NEVER = {"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"}
VPC_ACCESS_REASON = (
    "Lambda functions in a VPC need ec2:CreateNetworkInterface, DescribeNetworkInterfaces and "
    "DeleteNetworkInterface; AWS maintains this narrow service-role policy for exactly that "
    "(components/lambda_function.py attaches it to VPC functions only)."
)
ATTACHMENT_ARNS = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    ROLE: "managedPolicyArns",
}


def _no_aws_managed(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    allowed = {}
    for entry in cfg["allowedManagedPolicies"]:
        name = _MANAGED_ARN.sub(r"\1", entry.get("policy", ""))
        allowed[name] = str(entry.get("reason") or "").strip()
    key = ATTACHMENT_ARNS[res.type]
    value = res.props.get(key)
    if is_unknown(value):
        yield Undecided(value.path)
        return
    for index, arn in enumerate(each_item(value)):
        if isinstance(arn, Undecided):
            yield Undecided(arn.path, "a policy ARN computed from another resource")
            continue
        where = key if key.endswith("Arn") else f"{key}[{index}]"
        match = _MANAGED_ARN.match(arn)
        if not match:
            continue  # a customer-managed policy: its document is checked where it is defined
        name = match.group(1)
        base = name.rsplit("/", 1)[-1]
        if base in _NEVER:
            yield Finding(
                f"ManagedPolicy::{name}",
                where,
                f"{base} gives administrator-level access: no workload "
                "needs it; write an inline policy with the actions and ARNs it uses.",
                waivable=False,
            )
        elif allowed.get(name):
            continue
        elif base.endswith("FullAccess"):
            yield Finding(
                f"ManagedPolicy::{name}",
                where,
                f"{base} grants every action of a service on every "
                "resource: write an inline policy with the actions and ARNs the workload uses.",
            )
        else:
            note = " (its allowedManagedPolicies entry has no reason, so it does not count)" if name in allowed else ""
            yield Finding(
                f"ManagedPolicy::{name}",
                where,
                "AWS-managed policies are broad and change without "
                "notice: write an inline policy with the actions and ARNs the workload uses, or allow "
                f"this policy in allowedManagedPolicies with a reason{note}.",
            )


no_aws_managed_policies = resource_rule(
    name="lp-iam-no-aws-managed-policies",
    description=(
        "Identities use policies written for them, not AWS-managed ones: AdministratorAccess and "
        "PowerUserAccess never; '*FullAccess' and other AWS-managed policies only when listed in "
        "allowedManagedPolicies with a reason. Write an inline policy instead."
    ),
    types=ATTACHMENT_ARNS,
    check=_no_aws_managed,
    config={
        "allowedManagedPolicies": {
            "type": "array",
            "description": "AWS-managed policies allowed, each {policy: name after 'policy/' or "
            "full ARN, reason}. Replaces the default list when set.",
            "items": {
                "type": "object",
                "properties": {"policy": {"type": "string"}, "reason": {"type": "string"}},
                "required": ["policy"],
            },
            "default": [{"policy": "service-role/AWSLambdaVPCAccessExecutionRole", "reason": VPC_ACCESS_REASON}],
        }
    },
)


# --- lp-iam-passrole-scoped --------------------------------------------------------------------


def _grants_passrole(action: str) -> bool:
    return glob_match(action.lower(), "iam:passrole")


@_per_allow_statement
def _passrole_scoped(stmt: Statement, cfg: RuleConfig) -> Iterator[Item]:
    if not any(_grants_passrole(a) for a in stmt.actions):
        return
    for resource in stmt.resources:
        if "*" in resource or "?" in resource:
            yield Finding(
                f"Resource::{resource}",
                stmt.where,
                "iam:PassRole on a wildcard lets this identity hand any matching role (and its "
                "permissions) to a service: name the role ARNs it passes.",
                subject="iam:PassRole",
            )
    if cfg["requirePassedToService"] and not stmt.has_condition("iam:PassedToService"):
        yield Finding(
            "Condition::iam:PassedToService",
            stmt.where,
            "add a condition iam:PassedToService naming the service the role is passed to.",
            subject="iam:PassRole",
        )


passrole_scoped = resource_rule(
    name="lp-iam-passrole-scoped",
    description=(
        "iam:PassRole names the role ARNs it may pass (no wildcards), and, when configured, the service "
        "they are passed to (iam:PassedToService)."
    ),
    types=IDENTITY_DOCUMENT_TYPES,
    check=_passrole_scoped,
    config={"requirePassedToService": bool_option(False, "Also require an iam:PassedToService condition.")},
)


# --- lp-iam-no-sensitive-arn-globs ------------------------------------------------------------------

_SENSITIVE_SERVICES = ("iam", "secretsmanager", "kms", "ssm", "sts")


def bare_glob(arn: str) -> str | None:
    """Why ``arn`` covers a whole kind of resource (``*``, ``role/*``, ``secret:*``, any account), or
    None. Paths (``role/blueprints/*``) and name prefixes (``secret:leasing-*``) narrow a grant to
    resources the stack names, and pass."""
    if arn == "*":
        return "every resource"
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    _, _, service, _region, account, resource = parts
    if service == "s3":  # bucket and object ARNs carry no resource type
        return "every bucket" if resource in ("*", "*/*") else None
    kind, _, name = (
        resource.replace("/", ":", 1).partition(":") if ("/" in resource or ":" in resource) else (resource, "", "")
    )
    if account == "*":
        return f"every account's {service} resources"
    if resource == "*" or name.strip("/") in ("*", "*/*") or (name == "" and "*" in kind):
        return f"every {kind if kind != '*' else service + ' resource'} of the account"
    return None


@_per_allow_statement
def _sensitive_arn_globs(stmt: Statement, cfg: RuleConfig) -> Iterator[Item]:
    if any(_SCOPING_CONDITION.match(k) for k in stmt.condition_keys()):
        return
    for resource in stmt.resources:
        service = resource.split(":", 3)[2] if resource.count(":") >= 3 else ""
        why = bare_glob(resource) if service in _SENSITIVE_SERVICES else None
        if why:
            yield Finding(
                f"Resource::{resource}",
                stmt.where,
                f"grants {', '.join(stmt.actions[:3]) or 'actions'}"
                f"{'...' if len(stmt.actions) > 3 else ''} on {why}: name the ARNs (or a path / name "
                "prefix the stack owns).",
            )


no_sensitive_arn_globs = resource_rule(
    name="lp-iam-no-sensitive-arn-globs",
    description=(
        "IAM policies do not grant on ARN globs over identities, secrets and keys ('role/*', 'secret:*', "
        "'key/*', 'parameter/*', any account): name the ARNs, or a path or name prefix the stack owns."
    ),
    types=IDENTITY_DOCUMENT_TYPES,
    check=_sensitive_arn_globs,
)


# --- lp-iam-no-privilege-escalation ------------------------------------------------------------------

# Actions that let an identity give itself (or a principal it controls) more permissions when granted
# on more than named resources: Checkov CKV_AWS_286 / cloudsplaining's privilege-escalation methods
# (after Rhino Security Labs, "AWS IAM Privilege Escalation - Methods and Mitigation").
ESCALATION_ACTIONS = frozenset(
    a.lower()
    for a in (
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
        "iam:AttachUserPolicy",
        "iam:AttachGroupPolicy",
        "iam:AttachRolePolicy",
        "iam:PutUserPolicy",
        "iam:PutGroupPolicy",
        "iam:PutRolePolicy",
        "iam:AddUserToGroup",
        "iam:UpdateAssumeRolePolicy",
        "iam:PutUserPermissionsBoundary",
        "iam:PutRolePermissionsBoundary",
        "iam:DeleteRolePermissionsBoundary",
        "iam:DeleteUserPermissionsBoundary",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "glue:UpdateDevEndpoint",
        "sts:AssumeRole",
        "ssm:SendCommand",
        "ssm:StartSession",
        "ec2:ModifyInstanceAttribute",
    )
)


@_per_allow_statement
def _escalation(stmt: Statement, cfg: RuleConfig) -> Iterator[Item]:
    extra = {a.lower() for a in cfg["additionalActions"]}
    watched = ESCALATION_ACTIONS | extra
    broad = [r for r in stmt.resources if bare_glob(r)]
    if not broad or any(_SCOPING_CONDITION.match(k) for k in stmt.condition_keys()):
        return
    for action in stmt.actions:
        names = (action,) if "*" not in action and "?" not in action else expand(action)[0]
        if action == "*":
            continue  # lp-iam-no-wildcard-action already rejects '*'
        hits = sorted({n for n in names if n.lower() in watched})
        if hits:
            yield Finding(
                f"Action::{action}",
                stmt.where,
                f"{', '.join(hits[:4])}{'...' if len(hits) > 4 else ''} on {broad[0]} lets this identity "
                "raise its own (or another principal's) permissions: grant it on the ARNs (or a path "
                "the stack owns and the identity is not under).",
                subject=broad[0],
            )


no_privilege_escalation = resource_rule(
    name="lp-iam-no-privilege-escalation",
    description=(
        "IAM policies grant no privilege-escalation action (creating policy versions, attaching or "
        "putting policies, access keys, login profiles, trust updates, code updates of functions, "
        "assuming roles) on a whole kind of resource ('*', 'role/*', any account): only on ARNs, or a path "
        "the stack owns."
    ),
    types=IDENTITY_DOCUMENT_TYPES,
    check=_escalation,
    severity=Severity.CRITICAL,
    config={"additionalActions": list_option([], "More actions to treat as privilege escalation.")},
)


# --- lp-iam-trust-scoped -----------------------------------------------------------------------

_ORG_SCOPE = ("aws:PrincipalOrgID", "aws:PrincipalAccount", "aws:PrincipalOrgPaths")


def _own_accounts(res: Res, cfg: RuleConfig) -> set[str]:
    accounts = set(cfg["ownAccounts"])
    provider_accounts = (res.provider or {}).get("allowedAccountIds")
    if isinstance(provider_accounts, str) and provider_accounts.startswith("["):
        import json  # providers carry list inputs as JSON text

        provider_accounts = json.loads(provider_accounts)
    for account in as_list(provider_accounts):
        if isinstance(account, str):
            accounts.add(account)
    return accounts


def _trust_scoped(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    document = res.props.get("assumeRolePolicy")
    if document is None:
        return
    own = _own_accounts(res, cfg)
    trusted = set(cfg["trustedAccounts"])
    for stmt in statements_or_findings(document, "assumeRolePolicy"):
        if not isinstance(stmt, Statement):
            yield stmt
            continue
        if not stmt.allows:
            continue
        if stmt.not_principals:
            yield Finding(
                "NotPrincipal::*",
                stmt.where,
                "Allow with NotPrincipal trusts everyone else: name the principals that may assume the role.",
            )
        if stmt.public_principal():
            if not stmt.has_condition(*_ORG_SCOPE):
                yield Finding(
                    "Principal::*",
                    stmt.where,
                    "anyone in any AWS account may assume this role: name "
                    "the principal (role ARN or service), or at least require aws:PrincipalOrgID.",
                )
            continue
        yield from _web_identity_scoped(stmt)
        for principal in (stmt.principals or {}).get("AWS", ()):
            account = account_of(principal)
            if account is None or principal == "*":
                continue
            if _is_root(principal) and not stmt.conditions:
                # An account root trusts every principal of that account that IAM lets call
                # sts:AssumeRole, own account included (IAM User Guide, "Specifying a principal").
                yield Finding(
                    f"Principal::{principal}",
                    stmt.where,
                    f"trusts every identity of account {account} that may call sts:AssumeRole, with no "
                    "condition: name the role ARNs, or add aws:PrincipalArn / sts:ExternalId / "
                    "aws:PrincipalOrgID.",
                    subject="Condition",
                )
                continue
            if account in own:
                continue
            if account in trusted:
                if cfg["requireExternalIdOrOrgId"] and not stmt.has_condition("sts:ExternalId", *_ORG_SCOPE):
                    yield Finding(
                        f"Principal::{principal}",
                        stmt.where,
                        f"cross-account trust of {account} needs a confused-deputy guard: add an "
                        "sts:ExternalId or aws:PrincipalOrgID condition.",
                        subject="sts:ExternalId",
                    )
                continue
            if not own:
                yield Undecided(
                    f"{stmt.where} Principal {principal}",
                    f"cannot tell whether account {account} is this stack's own: set allowedAccountIds "
                    "on the provider, or ownAccounts / trustedAccounts in this rule's config",
                    pending=False,
                )
                continue
            yield Finding(
                f"Principal::{principal}",
                stmt.where,
                f"account {account} is neither this stack's ({', '.join(sorted(own))}) nor in "
                "trustedAccounts: trust only the accounts the design names.",
            )


def _is_root(principal: str) -> bool:
    return bool(re.fullmatch(r"\d{12}", principal) or re.fullmatch(r"arn:aws[a-z-]*:iam::\d{12}:root", principal))


_CLAIMS = {"aud": "audience (sts.amazonaws.com)", "sub": "subject (repository and branch or environment)"}


def _web_identity_scoped(stmt: Statement) -> Iterator[Finding]:
    """An OIDC provider trusts every token it issues, for any repository or client, unless the trust
    names the audience and the subject (IAM User Guide, "Creating a role for web identity or OIDC";
    GitHub, "Configuring OpenID Connect in Amazon Web Services")."""
    for provider in (stmt.principals or {}).get("Federated", ()):
        host = provider.split("oidc-provider/", 1)[-1] if "oidc-provider/" in provider else None
        if host is None:
            continue  # SAML providers carry SAML:aud by AWS's own template
        keys = {k.lower(): (op, vals) for op, k, vals in stmt.conditions}
        for claim in ("aud", "sub"):
            entry = keys.get(f"{host}:{claim}".lower())
            if entry is None:
                yield Finding(
                    f"Condition::{host}:{claim}",
                    stmt.where,
                    f"web-identity trust without a {host}:{claim} condition accepts tokens issued to anyone "
                    f"by {host}: require the {_CLAIMS[claim]}.",
                    subject=provider,
                )
            elif claim == "sub" and any(v.strip("*:/") in ("", "repo") for v in entry[1]):
                yield Finding(
                    f"Condition::{host}:sub",
                    stmt.where,
                    f"the subject condition {list(entry[1])} matches "
                    "any repository: name the repository and branch or environment.",
                    subject=provider,
                )


trust_scoped = resource_rule(
    name="lp-iam-trust-scoped",
    description=(
        "Role trust policies name who may assume the role: no Principal '*' (unless limited to the "
        "organization), no account root (own or other) without a condition, other accounts only when in "
        "trustedAccounts and with an sts:ExternalId or aws:PrincipalOrgID condition, and web-identity "
        "(OIDC) trust only with audience and subject conditions."
    ),
    types={ROLE},
    check=_trust_scoped,
    severity=Severity.CRITICAL,
    config={
        "ownAccounts": list_option(
            [], "This stack's accounts (the provider's allowedAccountIds are added).", pattern=r"^\d{12}$"
        ),
        "trustedAccounts": list_option(
            [], "Other accounts whose principals may assume roles of this stack.", pattern=r"^\d{12}$"
        ),
        "requireExternalIdOrOrgId": bool_option(
            True, "Cross-account trust needs sts:ExternalId or aws:PrincipalOrgID."
        ),
    },
)


# --- lp-iam-no-mgmt-conflicts (stack) -----------------------------------------------------------

_INLINE_MANAGERS = {
    "aws:iam/rolePolicy:RolePolicy": "role",
    "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive": "roleName",
}
_ATTACHMENT_MANAGERS = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "role",
    "aws:iam/policyAttachment:PolicyAttachment": "roles",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "roleName",
}


def _mgmt_conflicts(stack: Stack, cfg: RuleConfig) -> Iterator[Item]:
    roles = stack.of_type(ROLE)
    for kind, managers, role_prop_name, names_of in (
        ("inlinePolicies", _INLINE_MANAGERS, "inline", lambda m: {m.props.get("name")}),
        (
            "managedPolicyArns",
            _ATTACHMENT_MANAGERS,
            "managed",
            lambda m: set(as_list(m.props.get("policyArn") or m.props.get("policyArns"))),
        ),
    ):
        # One pass: which separate resources manage each role, and the policy names they manage.
        managed_by: dict[int, list[Res]] = {}
        managed_names: dict[int, set[str]] = {}
        for manager in stack.of_type(*managers):
            targets = stack.referenced(manager, managers[manager.type], roles)
            if is_unknown(targets):
                yield Undecided(targets.path, resource=manager)
                continue
            for role in targets:
                managed_by.setdefault(id(role), []).append(manager)
                managed_names.setdefault(id(role), set()).update(n for n in names_of(manager) if isinstance(n, str))
        for role in roles:
            if id(role) not in managed_by:
                continue
            declared = role.props.get(kind)
            if is_unknown(declared):
                yield Undecided(declared.path, resource=role)
                continue
            # A role's outputs list what it holds, including what the separate resources attached; a
            # conflict is an entry the role declares itself next to a separate resource.
            own = [(e.get("name") if isinstance(e, dict) else e) for e in as_list(declared)]
            own = [e for e in own if isinstance(e, str) and e not in managed_names[id(role)]]
            if not own:
                continue
            for manager in managed_by[id(role)]:
                yield Finding(
                    f"Role::{role.name}",
                    f"{manager.short_type} {manager.name}",
                    f"role {role.name} declares {kind} ({', '.join(own)}) and is also managed by "
                    f"{manager.short_type} {manager.name}: each update will undo the other. Manage "
                    f"its {role_prop_name} policies in one place.",
                    resource=manager,
                )


no_mgmt_conflicts = stack_rule(
    name="lp-iam-no-mgmt-conflicts",
    description=(
        "A role's policies are managed in one place: either on the role (inlinePolicies / "
        "managedPolicyArns) or by RolePolicy / RolePolicyAttachment resources, not both."
    ),
    level=EnforcementLevel.ADVISORY,
    check=_mgmt_conflicts,
    severity=Severity.LOW,
)

RULES = [
    no_wildcard_action,
    no_wildcard_resource,
    no_aws_managed_policies,
    passrole_scoped,
    no_sensitive_arn_globs,
    no_privilege_escalation,
    trust_scoped,
    no_mgmt_conflicts,
]
