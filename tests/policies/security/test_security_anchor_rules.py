"""The rules that bring the anchors' checks (Checkov, cdk-nag, Trivy, AWSGuard) to every resource type
the architectures create: each with an offending resource and its compliant twin, directly and over
the Analyzer protocol, and with the deciding input unknown."""

import json

import pytest
from pulumi.runtime import proto
from security_policy_helpers import UNKNOWN, R, allow, analyze, check, check_stack, diagnostics, policy_doc, servicer

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LISTENER = "aws:lb/listener:Listener"
ENDPOINT_SERVICE = "aws:ec2/vpcEndpointService:VpcEndpointService"
QUEUE = "aws:sqs/queue:Queue"
KEY = "aws:kms/key:Key"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACL = "aws:s3/bucketAclV2:BucketAclV2"
SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
DOMAIN = "aws:opensearch/domain:Domain"
FUNCTION = "aws:lambda/function:Function"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
INSTANCE = "aws:ec2/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
GITHUB = "token.actions.githubusercontent.com"


def _sg(port, cidr="0.0.0.0/0", protocol="tcp"):
    return {
        "description": "db",
        "ingress": [
            {"protocol": protocol, "fromPort": port, "toPort": port, "cidrBlocks": [cidr], "description": "clients"}
        ],
    }


def _task(value, name="DB_URL"):
    return {
        "executionRoleArn": "arn:aws:iam::111111111111:role/exec",
        "taskRoleArn": "arn:aws:iam::111111111111:role/t",
        "containerDefinitions": json.dumps([{"name": "proxy", "environment": [{"name": name, "value": value}]}]),
    }


OPENSEARCH = {
    "domainName": "listings",
    "vpcOptions": {"subnetIds": ["subnet-1"]},
    "encryptAtRest": {"enabled": True},
    "nodeToNodeEncryption": {"enabled": True},
    "domainEndpointOptions": {"enforceHttps": True, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
    "advancedSecurityOptions": {"enabled": True, "anonymousAuthEnabled": False},
}

# rule, type, offending props, the token it names, compliant twin, props with the deciding input unknown
CASES = [
    (
        "lp-iam-no-sensitive-arn-globs",
        ROLE_POLICY,
        {
            "policy": policy_doc(
                allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:111111111111:secret:*")
            )
        },
        "Resource::arn:aws:secretsmanager:us-east-1:111111111111:secret:*",
        {
            "policy": policy_doc(
                allow(
                    "secretsmanager:GetSecretValue",
                    "arn:aws:secretsmanager:us-east-1:111111111111:secret:leasing-master-*",
                )
            )
        },
        {"policy": UNKNOWN},
    ),
    (
        "lp-iam-no-sensitive-arn-globs",
        ROLE_POLICY,
        {"policy": policy_doc(allow("iam:GetRole", "arn:aws:iam::111111111111:role/*"))},
        "Resource::arn:aws:iam::111111111111:role/*",
        {"policy": policy_doc(allow("iam:GetRole", "arn:aws:iam::111111111111:role/blueprints/*"))},
        {"policy": UNKNOWN},
    ),
    (
        "lp-iam-no-privilege-escalation",
        ROLE_POLICY,
        {"policy": policy_doc(allow(["iam:PutRolePolicy", "iam:GetRole"], "arn:aws:iam::111111111111:role/*"))},
        "Action::iam:PutRolePolicy",
        {"policy": policy_doc(allow("iam:PutRolePolicy", "arn:aws:iam::111111111111:role/blueprints/leases-fn"))},
        {"policy": UNKNOWN},
    ),
    (
        "lp-iam-no-privilege-escalation",
        ROLE_POLICY,
        {"policy": policy_doc(allow("lambda:Update*", "*"))},
        "Action::lambda:Update*",
        {
            "policy": policy_doc(
                allow("lambda:UpdateFunctionCode", "arn:aws:lambda:us-east-1:111111111111:function:leases")
            )
        },
        {"policy": UNKNOWN},
    ),
    (
        "lp-iam-trust-scoped",
        ROLE,
        {
            "assumeRolePolicy": policy_doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": f"arn:aws:iam::111111111111:oidc-provider/{GITHUB}"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                }
            )
        },
        f"Condition::{GITHUB}:sub",
        {
            "assumeRolePolicy": policy_doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": f"arn:aws:iam::111111111111:oidc-provider/{GITHUB}"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{GITHUB}:aud": "sts.amazonaws.com",
                            f"{GITHUB}:sub": "repo:acme/app:ref:refs/heads/main",
                        }
                    },
                }
            )
        },
        {"assumeRolePolicy": UNKNOWN},
    ),
    ("lp-sg-no-public-ingress", SG, _sg(5432), "Port::tcp/5432", _sg(5432, "10.0.0.0/16"), _sg(5432, UNKNOWN)),
    (
        "lp-sg-no-public-ingress",
        INGRESS,
        {"securityGroupId": "sg-1", "ipProtocol": "-1", "cidrIpv6": "::/0", "description": "x"},
        "Port::all",
        {"securityGroupId": "sg-1", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"},
        {"securityGroupId": "sg-1", "ipProtocol": UNKNOWN, "cidrIpv4": "0.0.0.0/0"},
    ),
    (
        "lp-lb-listener-tls",
        LISTENER,
        {"protocol": "TLS", "port": 443},
        "SslPolicy::default",
        {"protocol": "TLS", "port": 443, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
        {"protocol": "TLS", "port": 443, "sslPolicy": UNKNOWN},
    ),
    (
        "lp-lb-listener-tls",
        LISTENER,
        {"protocol": "HTTP", "defaultActions": [{"type": "forward"}]},
        "Protocol::HTTP",
        {
            "protocol": "HTTP",
            "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443"}}],
        },
        {"protocol": "HTTP", "defaultActions": UNKNOWN},
    ),
    (
        "lp-vpce-service-acceptance",
        ENDPOINT_SERVICE,
        {"acceptanceRequired": False, "allowedPrincipals": ["*"]},
        "AllowedPrincipals::*",
        {"acceptanceRequired": False, "allowedPrincipals": ["arn:aws:iam::222222222222:root"]},
        {"acceptanceRequired": UNKNOWN, "allowedPrincipals": ["*"]},
    ),
    (
        "lp-sqs-encrypted",
        QUEUE,
        {"sqsManagedSseEnabled": False},
        "SqsManagedSseEnabled::false",
        {"sqsManagedSseEnabled": True},
        {"sqsManagedSseEnabled": UNKNOWN},
    ),
    (
        "lp-kms-key-rotation",
        KEY,
        {"enableKeyRotation": False},
        "EnableKeyRotation::false",
        {"enableKeyRotation": True},
        {"enableKeyRotation": UNKNOWN},
    ),
    (
        "lp-s3-no-public-access",
        PAB,
        {
            "bucket": "b",
            "blockPublicAcls": True,
            "blockPublicPolicy": False,
            "ignorePublicAcls": True,
            "restrictPublicBuckets": True,
        },
        "BlockPublicPolicy::false",
        {
            "bucket": "b",
            "blockPublicAcls": True,
            "blockPublicPolicy": True,
            "ignorePublicAcls": True,
            "restrictPublicBuckets": True,
        },
        {
            "bucket": "b",
            "blockPublicAcls": True,
            "blockPublicPolicy": UNKNOWN,
            "ignorePublicAcls": True,
            "restrictPublicBuckets": True,
        },
    ),
    (
        "lp-s3-no-public-access",
        ACL,
        {"bucket": "b", "acl": "public-read"},
        "Acl::public-read",
        {"bucket": "b", "acl": "private"},
        {"bucket": "b", "acl": UNKNOWN},
    ),
    (
        "lp-apigw-no-data-trace",
        SETTINGS,
        {"settings": {"dataTraceEnabled": True, "loggingLevel": "INFO"}},
        "DataTrace::true",
        {"settings": {"dataTraceEnabled": False, "loggingLevel": "INFO"}},
        {"settings": {"dataTraceEnabled": UNKNOWN}},
    ),
    (
        "lp-apigw-cache-encrypted",
        SETTINGS,
        {"settings": {"cachingEnabled": True}},
        "CacheDataEncrypted::false",
        {"settings": {"cachingEnabled": True, "cacheDataEncrypted": True}},
        {"settings": {"cachingEnabled": True, "cacheDataEncrypted": UNKNOWN}},
    ),
    (
        "lp-opensearch-private-encrypted",
        DOMAIN,
        dict(OPENSEARCH, advancedSecurityOptions={"enabled": True, "anonymousAuthEnabled": True}),
        "AnonymousAuthEnabled::true",
        OPENSEARCH,
        dict(OPENSEARCH, advancedSecurityOptions={"enabled": True, "anonymousAuthEnabled": UNKNOWN}),
    ),
    (
        "lp-env-no-plaintext-secrets",
        FUNCTION,
        {"environment": {"variables": {"DATABASE_URL": "postgresql://app:s3cr3tpass@db.internal:5432/leases"}}},
        "Environment::DATABASE_URL",
        {
            "environment": {
                "variables": {
                    "DATABASE_URL": "postgresql://app@db.internal:5432/leases",
                    "DB_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:1:secret:db",
                }
            }
        },
        {"environment": {"variables": {"DATABASE_URL": UNKNOWN}}},
    ),
    (
        "lp-env-no-plaintext-secrets",
        TASK,
        _task("AKIAIOSFODNN7EXAMPLE", "UPSTREAM_ID"),
        "Environment::UPSTREAM_ID",
        _task("https://api.internal"),
        _task(UNKNOWN),
    ),
    (
        "lp-ec2-userdata-no-secrets",
        INSTANCE,
        {"userData": "$p = ConvertTo-SecureString 'Hunter2!' -AsPlainText -Force"},
        "UserData::plaintext-securestring",
        {"userData": "$p = (Get-SECSecretValue -SecretId dcv).SecretString"},
        {"userData": UNKNOWN},
    ),
]
IDS = [f"{c[0]}:{c[3]}" for c in CASES]


@pytest.mark.parametrize("rule, type_, bad, token, good, unknown", CASES, ids=IDS)
def test_offending_resource_is_caught_and_its_twin_passes(rule, type_, bad, token, good, unknown):
    assert check(rule, type_, bad, name="subject").with_token(token), check(rule, type_, bad)
    assert check(rule, type_, good).passed, check(rule, type_, good)


@pytest.mark.parametrize("rule, type_, bad, token, good, unknown", CASES, ids=IDS)
def test_the_deciding_input_unknown_is_reported_as_undecided(rule, type_, bad, token, good, unknown):
    outcome = check(rule, type_, unknown)
    assert outcome.undecided and not outcome.with_token(token), outcome


@pytest.mark.parametrize("rule, type_, bad, token, good, unknown", CASES, ids=IDS)
def test_over_the_analyzer_protocol(rule, type_, bad, token, good, unknown):
    s = servicer()
    [finding] = [d for d in diagnostics(analyze(s, type_, bad), rule) if f" {token} at " in d.message]
    assert finding.enforcementLevel == proto.MANDATORY
    assert not diagnostics(analyze(s, type_, good), rule)
    [advisory] = diagnostics(analyze(s, type_, unknown), rule)
    assert advisory.enforcementLevel == proto.ADVISORY and "can't run policy" in advisory.message


def test_endpoint_service_acceptance_can_be_required_always():
    named = {"acceptanceRequired": False, "allowedPrincipals": ["arn:aws:iam::222222222222:root"]}
    assert check("lp-vpce-service-acceptance", ENDPOINT_SERVICE, named).passed
    assert check("lp-vpce-service-acceptance", ENDPOINT_SERVICE, named, config={"requireAcceptance": True}).with_token(
        "AcceptanceRequired::false"
    )


def test_world_open_icmp_and_the_allowed_public_port_pass():
    assert check("lp-sg-no-public-ingress", SG, _sg(-1, protocol="icmp")).passed
    assert check("lp-sg-no-public-ingress", SG, _sg(443)).passed
    assert check("lp-sg-no-public-ingress", SG, _sg(443), config={"allowedPublicPorts": []}).with_token("Port::tcp/443")


# --- rules whose level follows what the stack declares ------------------------------------------------------

PROTECTED = '{"blueprints:protectStatefulResources": "true"}'


@pytest.mark.parametrize(
    "rule, bad, token, good",
    [
        (
            "lp-rds-deletion-protection",
            {"deletionProtection": False},
            "DeletionProtection::false",
            {"deletionProtection": True},
        ),
        (
            "lp-rds-backup-retention",
            {"backupRetentionPeriod": 1},
            "BackupRetentionPeriod::1",
            {"backupRetentionPeriod": 14},
        ),
    ],
)
def test_protection_rules_are_mandatory_in_a_protected_stack_and_out_of_scope_elsewhere(
    rule, bad, token, good, monkeypatch
):
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    assert check(rule, CLUSTER, bad).not_applicable
    monkeypatch.setenv("PULUMI_CONFIG", PROTECTED)
    assert check(rule, CLUSTER, bad).with_token(token)
    assert check(rule, CLUSTER, good).passed
    [finding] = diagnostics(analyze(servicer(), CLUSTER, bad), rule)
    assert finding.enforcementLevel == proto.MANDATORY
    assert check(rule, CLUSTER, {"deletionProtection": UNKNOWN, "backupRetentionPeriod": UNKNOWN}).undecided


def _validate_with(rule, args) -> list[str]:
    messages: list[str] = []
    rule.policy.validate(args, lambda message, _urn=None: messages.append(message))
    return messages


def test_the_shipped_stack_file_lowers_a_level_with_its_reason(tmp_path):
    import security_rules
    from security_rules._core import Finding, apply_shipped_levels, resource_rule

    rule = resource_rule(
        name="t-protected",
        description="t",
        types={CLUSTER},
        level=security_rules.RULES[0].level,
        check=lambda res, cfg: [Finding("Rotation::missing", "secret", "rotate it")],
    )
    (tmp_path / "prod.json").write_text(
        json.dumps({"t-protected": {"enforcementLevel": "advisory", "reason": "program fix pending"}})
    )
    assert apply_shipped_levels([rule], "prod", tmp_path) == {"t-protected": "program fix pending"}
    assert rule.level.value == rule.policy.enforcement_level.value == "advisory"
    from pulumi_policy import ResourceValidationArgs
    from security_policy_helpers import options, urn

    args = ResourceValidationArgs(CLUSTER, {}, urn(CLUSTER, "db"), "db", options(), None, None)
    [message] = _validate_with(rule, args)
    assert message.endswith("[advisory on this stack: program fix pending]")  # the reason reaches the report
    assert apply_shipped_levels([rule], "dev", tmp_path) == {}
    (tmp_path / "prod.json").write_text(json.dumps({"t-protected": {"enforcementLevel": "advisory"}}))
    with pytest.raises(ValueError, match="a reason"):
        apply_shipped_levels([rule], "prod", tmp_path)


# --- lp-vpc-baseline (stack) ----------------------------------------------------------------------------------

VPC = R("aws:ec2/vpc:Vpc", "net-vpc", {"id": "vpc-0a1b2c3d", "cidrBlock": "10.0.0.0/16"})


def test_vpc_without_flow_logs_or_closed_default_group_is_one_finding_each():
    outcome = check_stack("lp-vpc-baseline", [VPC, R("aws:ec2/vpc:Vpc", "other-vpc", {"id": "vpc-0e0e0e0e"})])
    [logs] = outcome.with_token("FlowLogs::missing")
    assert "2 VPCs" in logs and "net-vpc, other-vpc" in logs
    assert outcome.with_token("DefaultSecurityGroup::unmanaged")


def test_vpc_with_flow_logs_and_an_empty_default_group_passes_and_an_open_one_is_caught():
    flow = R(
        "aws:ec2/flowLog:FlowLog",
        "net-flow",
        {"vpcId": "vpc-0a1b2c3d", "trafficType": "REJECT"},
        {"vpcId": ["net-vpc"]},
    )
    closed = R(
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "net-default",
        {"vpcId": "vpc-0a1b2c3d"},
        {"vpcId": ["net-vpc"]},
    )
    assert check_stack("lp-vpc-baseline", [VPC, flow, closed]).passed
    open_default = R(
        closed.type, closed.name, {"vpcId": "vpc-0a1b2c3d", "ingress": [{"protocol": "-1", "self": True}]}, closed.deps
    )
    assert check_stack("lp-vpc-baseline", [VPC, flow, open_default]).with_token("DefaultSecurityGroup::ingress")
    unknown = R(flow.type, flow.name, {"vpcId": UNKNOWN})
    assert check_stack("lp-vpc-baseline", [VPC, unknown, closed]).undecided
