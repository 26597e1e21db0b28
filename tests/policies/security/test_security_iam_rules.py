"""IAM rules: each one on a resource that breaks it (the finding names the resource and the token)
and on a close neighbour that passes."""

import json

import pytest
from security_policy_helpers import UNKNOWN, R, allow, check, check_stack, policy_doc

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
BUCKET_OBJECTS = "arn:aws:s3:::leases-docs/*"
LAMBDA_TRUST = policy_doc(
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
)


# --- lp-iam-no-wildcard-action ---------------------------------------------------------------------


def test_service_wildcard_action_is_one_finding_per_token_naming_resource_and_statement():
    doc = policy_doc(
        allow(["s3:GetObject"], BUCKET_OBJECTS), allow(["s3:*", "dynamodb:*"], BUCKET_OBJECTS, Sid="TooBroad")
    )
    outcome = check("lp-iam-no-wildcard-action", ROLE_POLICY, {"policy": doc}, name="indexer-policy")
    assert len(outcome.violations) == 2
    [s3] = outcome.with_token("Action::s3:*")
    assert s3.startswith("indexer-policy (RolePolicy): ")
    assert "policy Statement[1] (Sid TooBroad)" in s3
    assert outcome.with_token("Action::dynamodb:*")


def test_named_actions_pass_and_deny_wildcards_are_fine():
    doc = policy_doc(
        allow(["s3:GetObject", "s3:PutObject"], BUCKET_OBJECTS),
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    )
    assert check("lp-iam-no-wildcard-action", ROLE_POLICY, {"policy": doc}).passed


def test_star_action_and_not_action_are_flagged_on_role_inline_policies():
    doc = policy_doc(allow("*"), {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    outcome = check(
        "lp-iam-no-wildcard-action",
        ROLE,
        {"assumeRolePolicy": LAMBDA_TRUST, "inlinePolicies": [{"name": "admin", "policy": doc}]},
    )
    assert outcome.with_token("Action::*")
    [not_action] = outcome.with_token("NotAction::iam:*")
    assert "inlinePolicies[admin] Statement[1]" in not_action


def test_partial_wildcards_follow_config():
    doc = policy_doc(allow(["s3:Get*"], BUCKET_OBJECTS))
    assert check("lp-iam-no-wildcard-action", ROLE_POLICY, {"policy": doc}).with_token("Action::s3:Get*")
    assert check(
        "lp-iam-no-wildcard-action", ROLE_POLICY, {"policy": doc}, config={"flagPartialWildcards": False}
    ).passed


def test_malformed_document_is_a_finding_not_a_crash():
    outcome = check("lp-iam-no-wildcard-action", ROLE_POLICY, {"policy": "{not json"})
    assert outcome.with_token("Document::invalid")


# --- lp-iam-no-wildcard-resource ---------------------------------------------------------------------


def test_resource_star_on_a_scopable_action_names_the_action():
    doc = policy_doc(allow(["s3:GetObject", "xray:PutTraceSegments"]))
    outcome = check("lp-iam-no-wildcard-resource", ROLE_POLICY, {"policy": doc}, name="fn-policy")
    assert len(outcome.violations) == 1
    assert "s3:GetObject accepts resource ARNs" in outcome.with_token("Resource::*")[0]


def test_resource_star_on_actions_without_resource_level_permissions_passes():
    doc = policy_doc(
        allow(
            [
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "ec2:DescribeNetworkInterfaces",
                "sts:GetCallerIdentity",
            ]
        )
    )
    assert check("lp-iam-no-wildcard-resource", ROLE_POLICY, {"policy": doc}).passed


def test_seed_all_resources_invoke_is_caught_and_arns_pass():
    # The seed's "Resource: All Resources" for execute-api:Invoke.
    bad = policy_doc(allow("execute-api:Invoke"))
    good = policy_doc(allow("execute-api:Invoke", "arn:aws:execute-api:us-east-1:111111111111:a1b2c3/prod/GET/*"))
    assert check("lp-iam-no-wildcard-resource", ROLE_POLICY, {"policy": bad}).with_token("Resource::*")
    assert check("lp-iam-no-wildcard-resource", ROLE_POLICY, {"policy": good}).passed


def test_unknown_action_is_reported_and_abac_condition_scopes_the_statement():
    typo = policy_doc(allow("s3:GetObjekt"))
    assert "not an IAM action" in check("lp-iam-no-wildcard-resource", ROLE_POLICY, {"policy": typo}).violations[0]
    tagged = policy_doc(allow("ec2:StopInstances", "*", Condition={"StringEquals": {"aws:ResourceTag/Stack": "dev"}}))
    assert check("lp-iam-no-wildcard-resource", ROLE_POLICY, {"policy": tagged}).passed


def test_exempt_actions_and_a_reasoned_exception_by_subject():
    doc = policy_doc(allow(["s3:GetObject", "logs:CreateLogGroup"]))
    outcome = check("lp-iam-no-wildcard-resource", ROLE_POLICY, {"policy": doc}, config={"exemptActions": ["logs:*"]})
    assert len(outcome.violations) == 1 and "s3:GetObject" in outcome.violations[0]
    waived = check(
        "lp-iam-no-wildcard-resource",
        ROLE_POLICY,
        {"policy": doc},
        config={
            "exceptions": [
                {"token": "Resource::*[s3:GetObject]", "reason": "reads objects named at run time"},
                {"token": "Resource::*[logs:*]", "reason": "the log group is created by the service"},
            ]
        },
    )
    assert waived.passed


# --- lp-iam-no-aws-managed-policies --------------------------------------------------------------------


@pytest.mark.parametrize(
    "policy, token",
    [
        ("AdministratorAccess", "ManagedPolicy::AdministratorAccess"),
        ("AWSStepFunctionsFullAccess", "ManagedPolicy::AWSStepFunctionsFullAccess"),
        ("ReadOnlyAccess", "ManagedPolicy::ReadOnlyAccess"),
    ],
)
def test_aws_managed_policies_are_caught(policy, token):
    outcome = check(
        "lp-iam-no-aws-managed-policies",
        ATTACHMENT,
        {"role": "r", "policyArn": f"arn:aws:iam::aws:policy/{policy}"},
        name="api-to-sfn",
    )
    [finding] = outcome.with_token(token)
    assert finding.startswith("api-to-sfn (RolePolicyAttachment): ")


def test_the_lambda_vpc_access_policy_is_allow_listed_with_its_reason_and_customer_policies_pass():
    vpc = {"role": "r", "policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"}
    assert check("lp-iam-no-aws-managed-policies", ATTACHMENT, vpc).passed
    own = {"role": "r", "policyArn": "arn:aws:iam::111111111111:policy/leasing-read"}
    assert check("lp-iam-no-aws-managed-policies", ATTACHMENT, own).passed
    # Replacing the allow-list drops the default; an entry without a reason does not count.
    outcome = check(
        "lp-iam-no-aws-managed-policies",
        ATTACHMENT,
        vpc,
        config={"allowedManagedPolicies": [{"policy": "service-role/AWSLambdaVPCAccessExecutionRole"}]},
    )
    assert "has no reason" in outcome.violations[0]


def test_administrator_access_cannot_be_waived_and_role_managed_arns_are_checked():
    props = {"assumeRolePolicy": LAMBDA_TRUST, "managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}
    outcome = check(
        "lp-iam-no-aws-managed-policies",
        ROLE,
        props,
        config={"exceptions": [{"resource": "*", "token": "ManagedPolicy::*", "reason": "bootstrap"}]},
    )
    [finding] = outcome.with_token("ManagedPolicy::AdministratorAccess")
    assert "managedPolicyArns[0]" in finding and "cannot be waived" in finding


def test_unknown_policy_arn_is_undecided_not_passed():
    outcome = check("lp-iam-no-aws-managed-policies", ATTACHMENT, {"role": "r", "policyArn": UNKNOWN})
    assert outcome.undecided and "policyArn" in outcome.undecided and not outcome.violations


# --- lp-iam-passrole-scoped ----------------------------------------------------------------------------


def test_passrole_on_a_wildcard_is_caught_and_on_a_named_role_passes():
    bad = policy_doc(allow("iam:PassRole", "arn:aws:iam::111111111111:role/*"))
    outcome = check("lp-iam-passrole-scoped", ROLE_POLICY, {"policy": bad})
    assert outcome.with_token("Resource::arn:aws:iam::111111111111:role/*")
    good = policy_doc(
        allow(
            "iam:PassRole",
            "arn:aws:iam::111111111111:role/scheduler-target",
            Condition={"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
        )
    )
    assert check(
        "lp-iam-passrole-scoped", ROLE_POLICY, {"policy": good}, config={"requirePassedToService": True}
    ).passed


def test_passrole_without_passed_to_service_only_when_required():
    doc = policy_doc(allow("iam:PassRole", "arn:aws:iam::111111111111:role/scheduler-target"))
    assert check("lp-iam-passrole-scoped", ROLE_POLICY, {"policy": doc}).passed
    required = check("lp-iam-passrole-scoped", ROLE_POLICY, {"policy": doc}, config={"requirePassedToService": True})
    assert required.with_token("Condition::iam:PassedToService")


# --- lp-iam-trust-scoped -----------------------------------------------------------------------------


def _trust(principal, **extra):
    return policy_doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra})


def test_trust_of_everyone_is_caught_and_a_service_passes():
    outcome = check("lp-iam-trust-scoped", ROLE, {"assumeRolePolicy": _trust({"AWS": "*"})}, name="open-role")
    assert outcome.with_token("Principal::*")[0].startswith("open-role (Role): ")
    assert check("lp-iam-trust-scoped", ROLE, {"assumeRolePolicy": LAMBDA_TRUST}).passed


def test_cross_account_trust_needs_allow_list_and_external_id():
    consumer = "arn:aws:iam::222222222222:role/caller"
    provider = {"allowedAccountIds": ["111111111111"]}
    stranger = check("lp-iam-trust-scoped", ROLE, {"assumeRolePolicy": _trust({"AWS": consumer})}, provider=provider)
    assert stranger.with_token(f"Principal::{consumer}")
    no_guard = check(
        "lp-iam-trust-scoped",
        ROLE,
        {"assumeRolePolicy": _trust({"AWS": consumer})},
        provider=provider,
        config={"trustedAccounts": ["222222222222"]},
    )
    assert "sts:ExternalId" in no_guard.violations[0]
    guarded = _trust({"AWS": consumer}, Condition={"StringEquals": {"sts:ExternalId": "blueprints-prod"}})
    assert check(
        "lp-iam-trust-scoped",
        ROLE,
        {"assumeRolePolicy": guarded},
        provider=provider,
        config={"trustedAccounts": ["222222222222"]},
    ).passed
    own_role = _trust({"AWS": "arn:aws:iam::111111111111:role/caller"})
    assert check("lp-iam-trust-scoped", ROLE, {"assumeRolePolicy": own_role}, provider=provider).passed


def test_an_account_root_without_a_condition_is_caught_own_or_foreign_and_without_config():
    for root in ("arn:aws:iam::111111111111:root", "333333333333"):
        outcome = check(
            "lp-iam-trust-scoped",
            ROLE,
            {"assumeRolePolicy": _trust({"AWS": root})},
            provider={"allowedAccountIds": ["111111111111"]},
        )
        assert outcome.with_token(f"Principal::{root}")
        assert check("lp-iam-trust-scoped", ROLE, {"assumeRolePolicy": _trust({"AWS": root})}).with_token(
            f"Principal::{root}"
        )
    scoped = _trust(
        {"AWS": "arn:aws:iam::111111111111:root"},
        Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/ops-*"}},
    )
    assert check(
        "lp-iam-trust-scoped", ROLE, {"assumeRolePolicy": scoped}, provider={"allowedAccountIds": ["111111111111"]}
    ).passed


def test_trust_of_an_account_the_rule_cannot_place_says_so():
    outcome = check(
        "lp-iam-trust-scoped", ROLE, {"assumeRolePolicy": _trust({"AWS": "arn:aws:iam::333333333333:role/caller"})}
    )
    assert not outcome.violations
    assert "cannot decide" in outcome.undecided and "allowedAccountIds" in outcome.undecided


GITHUB = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"


def test_web_identity_trust_needs_audience_and_subject():
    def web(condition=None):
        statement = {"Effect": "Allow", "Principal": {"Federated": GITHUB}, "Action": "sts:AssumeRoleWithWebIdentity"}
        if condition:
            statement["Condition"] = condition
        return policy_doc(statement)

    bare = check("lp-iam-trust-scoped", ROLE, {"assumeRolePolicy": web()})
    assert bare.with_token("Condition::token.actions.githubusercontent.com:sub")
    assert bare.with_token("Condition::token.actions.githubusercontent.com:aud")
    any_repo = web(
        {
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub": "*"},
        }
    )
    assert check("lp-iam-trust-scoped", ROLE, {"assumeRolePolicy": any_repo}).with_token(
        "Condition::token.actions.githubusercontent.com:sub"
    )
    pinned = web(
        {
            "StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:acme/blueprints:environment:prod",
            }
        }
    )
    assert check("lp-iam-trust-scoped", ROLE, {"assumeRolePolicy": pinned}).passed


# --- lp-iam-no-mgmt-conflicts (stack) -------------------------------------------------------------------


def test_role_with_inline_policy_and_a_role_policy_conflicts():
    role = R(
        ROLE,
        "fn-role",
        {
            "name": "fn-role-1a2b",
            "assumeRolePolicy": LAMBDA_TRUST,
            "inlinePolicies": [{"name": "declared", "policy": policy_doc(allow("sqs:SendMessage", "arn:q"))}],
        },
    )
    extra = R(ROLE_POLICY, "fn-extra", {"role": "fn-role-1a2b", "name": "extra", "policy": "{}"}, {"role": ["fn-role"]})
    outcome = check_stack("lp-iam-no-mgmt-conflicts", [role, extra])
    [finding] = outcome.with_token("Role::fn-role")
    assert finding.startswith("fn-extra (RolePolicy)") and "declared" in finding
    assert outcome.urns == ["urn:pulumi:test::blueprints::aws:iam/rolePolicy:RolePolicy::fn-extra"]


def test_role_managed_only_by_separate_resources_passes_even_when_outputs_list_them():
    # After `up` a role's outputs list the policies the separate resources attached.
    role = R(
        ROLE,
        "fn-role",
        {"name": "fn-role-1a2b", "inlinePolicies": [{"name": "extra", "policy": "{}"}], "managedPolicyArns": []},
    )
    extra = R(ROLE_POLICY, "fn-extra", {"role": "fn-role-1a2b", "name": "extra", "policy": "{}"})
    assert check_stack("lp-iam-no-mgmt-conflicts", [role, extra]).passed


def test_mgmt_conflicts_with_unknown_outputs_is_undecided():
    role = R(ROLE, "fn-role", {"name": "fn-role-1a2b", "inlinePolicies": UNKNOWN})
    extra = R(ROLE_POLICY, "fn-extra", {"role": UNKNOWN, "name": "extra"}, {"role": ["fn-role"]})
    outcome = check_stack("lp-iam-no-mgmt-conflicts", [role, extra])
    assert outcome.undecided and "fn-role: inlinePolicies" in outcome.undecided


def test_role_inline_policy_json_dict_is_accepted():
    doc = {"Version": "2012-10-17", "Statement": [allow("s3:*", BUCKET_OBJECTS)]}
    outcome = check("lp-iam-no-wildcard-action", ROLE, {"inlinePolicies": [{"name": "p", "policy": json.dumps(doc)}]})
    assert outcome.with_token("Action::s3:*")
