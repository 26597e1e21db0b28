"""Data rules: a resource that breaks each rule and a close neighbour that passes."""

import pytest
from security_policy_helpers import UNKNOWN, R, allow, check, check_stack, policy_doc

CLUSTER = "aws:rds/cluster:Cluster"
GLOBAL = "aws:rds/globalCluster:GlobalCluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
PROXY = "aws:rds/proxy:Proxy"
DOMAIN = "aws:opensearch/domain:Domain"
AURORA = {
    "engine": "aurora-postgresql",
    "engineMode": "provisioned",
    "storageEncrypted": True,
    "iamDatabaseAuthenticationEnabled": True,
    "deletionProtection": True,
}


# --- RDS ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule, prop, value, token",
    [
        ("lp-rds-cluster-encrypted", "storageEncrypted", False, "StorageEncrypted::false"),
        ("lp-rds-cluster-encrypted", "storageEncrypted", None, "StorageEncrypted::false"),
        ("lp-rds-iam-auth", "iamDatabaseAuthenticationEnabled", False, "IamDatabaseAuthentication::false"),
        ("lp-rds-deletion-protection", "deletionProtection", False, "DeletionProtection::false"),
    ],
)
def test_aurora_cluster_settings_break_and_pass(rule, prop, value, token, monkeypatch):
    monkeypatch.setenv("PULUMI_CONFIG", '{"blueprints:protectStatefulResources": "true"}')
    broken = {k: v for k, v in AURORA.items() if k != prop}
    if value is not None:
        broken[prop] = value
    assert check(rule, CLUSTER, broken, name="leases-db").with_token(token)[0].startswith("leases-db (Cluster)")
    assert check(rule, CLUSTER, AURORA).passed


def test_global_cluster_encryption_and_inheritance():
    assert check("lp-rds-cluster-encrypted", GLOBAL, {"engine": "aurora-postgresql"}).with_token(
        "StorageEncrypted::false"
    )
    assert check("lp-rds-cluster-encrypted", GLOBAL, {"engine": "aurora-postgresql", "storageEncrypted": True}).passed
    inherited = check("lp-rds-cluster-encrypted", GLOBAL, {"sourceDbClusterIdentifier": "arn:aws:rds:...:cluster:x"})
    assert inherited.passed and inherited.not_applicable


def test_iam_auth_is_not_applicable_to_engines_without_it_and_unknown_is_undecided():
    assert check("lp-rds-iam-auth", CLUSTER, {"engine": "docdb"}).not_applicable
    assert (
        "iamDatabaseAuthenticationEnabled"
        in check("lp-rds-iam-auth", CLUSTER, dict(AURORA, iamDatabaseAuthenticationEnabled=UNKNOWN)).undecided
    )


def test_public_instance_is_caught_private_passes():
    assert check(
        "lp-rds-not-public", INSTANCE, {"instanceClass": "db.serverless", "publiclyAccessible": True}, name="writer"
    ).with_token("PubliclyAccessible::true")
    assert check("lp-rds-not-public", INSTANCE, {"instanceClass": "db.serverless"}).passed


def test_proxy_without_tls_or_iam_is_caught_per_auth_entry():
    props = {
        "engineFamily": "POSTGRESQL",
        "requireTls": False,
        "auths": [
            {"authScheme": "SECRETS", "iamAuth": "DISABLED", "secretArn": "arn:secret:app"},
            {"authScheme": "SECRETS", "iamAuth": "REQUIRED"},
        ],
    }
    outcome = check("lp-rds-proxy-tls-iam", PROXY, props, name="leases-proxy")
    assert outcome.with_token("RequireTls::false")
    [iam] = outcome.with_token("IamAuth::DISABLED")
    assert "auths[0].iamAuth" in iam
    assert "auths[1].secretArn" in outcome.with_token("SecretArn::missing")[0]


def test_proxy_with_tls_iam_and_secrets_passes():
    props = {
        "engineFamily": "POSTGRESQL",
        "requireTls": True,
        "auths": [{"authScheme": "SECRETS", "iamAuth": "REQUIRED", "secretArn": "arn:secret:app"}],
    }
    assert check("lp-rds-proxy-tls-iam", PROXY, props).passed
    assert check("lp-rds-proxy-tls-iam", PROXY, {"requireTls": True, "defaultAuthScheme": "IAM_AUTH"}).passed


# --- lp-secret-rotation (stack) --------------------------------------------------------------------------------


def test_secret_without_rotation_is_caught_rotated_secret_passes(monkeypatch):
    monkeypatch.setenv("PULUMI_CONFIG", '{"blueprints:protectStatefulResources": "true"}')
    secret = R("aws:secretsmanager/secret:Secret", "db-user", {"name": "leases/app", "arn": "arn:aws:sm:secret:a"})
    outcome = check_stack("lp-secret-rotation", [secret])
    assert outcome.with_token("Rotation::missing")[0].startswith("db-user (Secret)")
    rotation = R(
        "aws:secretsmanager/secretRotation:SecretRotation",
        "db-user-rotation",
        {"secretId": "arn:aws:sm:secret:a", "rotationRules": {"automaticallyAfterDays": 30}},
        {"secretId": ["db-user"]},
    )
    assert check_stack("lp-secret-rotation", [secret, rotation]).passed
    assert check_stack("lp-secret-rotation", [secret], config={"secretPatterns": ["prod/*"]}).passed


# --- lp-opensearch-private-encrypted ----------------------------------------------------------------------------

GOOD_DOMAIN = {
    "domainName": "listings",
    "vpcOptions": {"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]},
    "encryptAtRest": {"enabled": True},
    "nodeToNodeEncryption": {"enabled": True},
    "domainEndpointOptions": {"enforceHttps": True, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
    "accessPolicies": policy_doc(
        allow(
            "es:ESHttp*", "arn:aws:es:us-east-1:1:domain/listings/*", Principal={"AWS": "arn:aws:iam::1:role/indexer"}
        )
    ),
}


def test_private_encrypted_domain_passes():
    assert check("lp-opensearch-private-encrypted", DOMAIN, GOOD_DOMAIN).passed


@pytest.mark.parametrize(
    "change, token",
    [
        ({"vpcOptions": None}, "VpcOptions::missing"),
        ({"encryptAtRest": {"enabled": False}}, "EncryptAtRest::false"),
        ({"nodeToNodeEncryption": None}, "NodeToNodeEncryption::false"),
        (
            {"domainEndpointOptions": {"enforceHttps": False, "tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"}},
            "EnforceHttps::false",
        ),
        (
            {"domainEndpointOptions": {"enforceHttps": True, "tlsSecurityPolicy": "Policy-Min-TLS-1-0-2019-07"}},
            "TlsSecurityPolicy::Policy-Min-TLS-1-0-2019-07",
        ),
        ({"accessPolicies": policy_doc(allow("es:*", "*", Principal={"AWS": "*"}))}, "Principal::*"),
    ],
)
def test_each_domain_weakness_is_its_own_finding(change, token):
    props = {k: v for k, v in {**GOOD_DOMAIN, **change}.items() if v is not None}
    outcome = check("lp-opensearch-private-encrypted", DOMAIN, props, name="listings")
    assert len(outcome.violations) == 1
    assert outcome.with_token(token)[0].startswith("listings (Domain)")


def test_open_access_policy_is_fine_with_fine_grained_access_control():
    props = dict(
        GOOD_DOMAIN,
        accessPolicies=policy_doc(allow("es:*", "*", Principal={"AWS": "*"})),
        advancedSecurityOptions={"enabled": True, "internalUserDatabaseEnabled": False},
    )
    assert check("lp-opensearch-private-encrypted", DOMAIN, props).passed


# --- Kinesis, SNS, logs ----------------------------------------------------------------------------------------


def test_kinesis_stream_encryption():
    stream = "aws:kinesis/stream:Stream"
    assert check("lp-kinesis-encrypted", stream, {"shardCount": 1}, name="listings").with_token("EncryptionType::NONE")
    assert check("lp-kinesis-encrypted", stream, {"encryptionType": "KMS"}).with_token("KmsKeyId::missing")
    assert check("lp-kinesis-encrypted", stream, {"encryptionType": "KMS", "kmsKeyId": "alias/aws/kinesis"}).passed


def test_sns_topic_and_log_group_keys():
    assert check("lp-sns-encrypted", "aws:sns/topic:Topic", {"name": "alarms"}).with_token("KmsMasterKeyId::missing")
    assert check("lp-sns-encrypted", "aws:sns/topic:Topic", {"kmsMasterKeyId": "alias/aws/sns"}).passed
    group = "aws:cloudwatch/logGroup:LogGroup"
    plain_groups = [R(group, f"fn-{i}-logs", {"retentionInDays": 30}) for i in range(3)]
    [grouped] = check_stack("lp-loggroup-kms", plain_groups).with_token("KmsKeyId::missing")
    assert grouped.startswith("fn-0-logs (LogGroup)") and "3 log groups" in grouped and "fn-2-logs" in grouped
    assert check_stack("lp-loggroup-kms", [R(group, "k", {"kmsKeyId": "arn:aws:kms:k"})]).passed
    assert check_stack("lp-loggroup-kms", plain_groups, config={"exemptLogGroups": ["fn-*"]}).passed


# --- lp-resource-policy-not-public ------------------------------------------------------------------------------


def test_public_queue_policy_and_unbound_service_principal_are_caught():
    queue = "aws:sqs/queuePolicy:QueuePolicy"
    public = policy_doc(allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:dlq", Principal="*"))
    assert check("lp-resource-policy-not-public", queue, {"policy": public}, name="dlq-policy").with_token(
        "Principal::*"
    )
    unbound = policy_doc(
        allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:dlq", Principal={"Service": "events.amazonaws.com"})
    )
    assert check("lp-resource-policy-not-public", queue, {"policy": unbound}).with_token(
        "Principal::events.amazonaws.com"
    )


def test_queue_policy_bound_to_the_rule_passes_and_deny_statements_are_fine():
    bound = policy_doc(
        allow(
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-1:1:dlq",
            Principal={"Service": "events.amazonaws.com"},
            Condition={"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:1:rule/r"}},
        ),
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sqs:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )
    assert check("lp-resource-policy-not-public", "aws:sqs/queuePolicy:QueuePolicy", {"policy": bound}).passed


def test_log_resource_policy_for_eventbridge_in_the_documented_shape_passes_but_not_for_everyone():
    log_policy = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
    group = "arn:aws:logs:us-east-1:1:log-group:/aws/events/orders-bus-catch-all:*"
    documented = policy_doc(
        allow(
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            group,
            Principal={"Service": ["events.amazonaws.com", "delivery.logs.amazonaws.com"]},
        )
    )
    assert check("lp-resource-policy-not-public", log_policy, {"policyDocument": documented}).passed
    public = policy_doc(allow(["logs:PutLogEvents"], group, Principal="*"))
    assert check("lp-resource-policy-not-public", log_policy, {"policyDocument": public}).with_token("Principal::*")
