"""Data rules: databases, search, streams, secrets, logs and the resource policies in front of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ._core import (
    Finding,
    Item,
    NotApplicable,
    Res,
    RuleConfig,
    Stack,
    Undecided,
    as_list,
    dig,
    each_known,
    glob_match,
    is_unknown,
    resource_rule,
    stack_rule,
)
from ._documents import Statement, statements_or_findings

CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster"
DB_INSTANCE = "aws:rds/instance:Instance"
PROXY = "aws:rds/proxy:Proxy"


def _flag(res: Res, prop: str, want: Any, token: str, message: str, default: Any = None) -> Iterator[Item]:
    value = res.props.get(prop, default)
    if is_unknown(value):
        yield Undecided(value.path)
    elif (value if value is not None else default) != want:
        yield Finding(token, prop, message)


# --- lp-rds-cluster-encrypted ------------------------------------------------------------------------

def _cluster_encrypted(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    if res.type == GLOBAL_CLUSTER and res.props.get("sourceDbClusterIdentifier") is not None \
            and res.props.get("storageEncrypted") is None:
        yield NotApplicable("a global cluster built from an existing cluster inherits its encryption")
        return
    yield from _flag(res, "storageEncrypted", True, "StorageEncrypted::false",
                     "set storageEncrypted = true (with a KMS key in each Region for a global database): data, "
                     "snapshots and replicas are then encrypted at rest.", default=False)


rds_cluster_encrypted = resource_rule(
    name="lp-rds-cluster-encrypted",
    description="Aurora clusters, global clusters and DB instances encrypt storage: set storageEncrypted = true.",
    types={CLUSTER, GLOBAL_CLUSTER, DB_INSTANCE}, level=EnforcementLevel.MANDATORY, check=_cluster_encrypted,
    severity=Severity.HIGH,
)


# --- lp-rds-iam-auth ---------------------------------------------------------------------------------

def _iam_auth(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    engine = res.props.get("engine")
    if is_unknown(engine):
        yield Undecided(engine.path)
        return
    if not any(kind in str(engine or "") for kind in ("postgres", "mysql", "mariadb")):
        yield NotApplicable(f"engine {engine} has no IAM database authentication")
        return
    yield from _flag(res, "iamDatabaseAuthenticationEnabled", True, "IamDatabaseAuthentication::false",
                     "set iamDatabaseAuthenticationEnabled = true so applications connect with short-lived IAM "
                     "tokens instead of stored passwords.", default=False)


rds_iam_auth = resource_rule(
    name="lp-rds-iam-auth",
    description="Databases accept IAM authentication: set iamDatabaseAuthenticationEnabled = true.",
    types={CLUSTER, DB_INSTANCE}, level=EnforcementLevel.MANDATORY, check=_iam_auth, severity=Severity.MEDIUM,
)


# --- lp-rds-not-public ------------------------------------------------------------------------------

def _not_public(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    yield from _flag(res, "publiclyAccessible", False, "PubliclyAccessible::true",
                     "set publiclyAccessible = false: clients reach the database from private subnets (through "
                     "RDS Proxy).", default=False)


rds_not_public = resource_rule(
    name="lp-rds-not-public",
    description="Database instances are not publicly accessible: set publiclyAccessible = false.",
    types={CLUSTER_INSTANCE, DB_INSTANCE, CLUSTER}, level=EnforcementLevel.MANDATORY, check=_not_public,
    severity=Severity.CRITICAL,
)


# --- lp-rds-deletion-protection ---------------------------------------------------------------------

def _deletion_protection(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    yield from _flag(res, "deletionProtection", True, "DeletionProtection::false",
                     "set deletionProtection = true (config protectStatefulResources) so the database cannot be "
                     "deleted by a mistaken update.", default=False)


rds_deletion_protection = resource_rule(
    name="lp-rds-deletion-protection",
    description=("Databases keep deletion protection on (the prod stack sets protectStatefulResources; dev stacks "
                 "may leave it off)."),
    types={CLUSTER, GLOBAL_CLUSTER, DB_INSTANCE}, level=EnforcementLevel.ADVISORY, check=_deletion_protection,
    severity=Severity.MEDIUM,
)


# --- lp-rds-proxy-tls-iam -----------------------------------------------------------------------------

def _proxy_tls_iam(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    yield from _flag(res, "requireTls", True, "RequireTls::false",
                     "set requireTls = true so connections to the proxy are encrypted.", default=False)
    auths = res.props.get("auths")
    if is_unknown(auths):
        yield Undecided(auths.path)
        return
    scheme = res.props.get("defaultAuthScheme")
    if not auths:
        if is_unknown(scheme):
            yield Undecided(scheme.path)
        elif scheme != "IAM_AUTH":
            yield Finding("Auth::missing", "auths", "configure auths (a Secrets Manager secret per database user, "
                          "iamAuth REQUIRED) or defaultAuthScheme IAM_AUTH.")
        return
    for index, auth in enumerate(each_known(as_list(auths))):
        if isinstance(auth, Undecided):
            yield auth
            continue
        where = f"auths[{index}]"
        iam = auth.get("iamAuth")
        if is_unknown(iam):
            yield Undecided(iam.path)
        elif iam != "REQUIRED":
            yield Finding(f"IamAuth::{iam or 'DISABLED'}", f"{where}.iamAuth", "set iamAuth = REQUIRED so clients "
                          "authenticate to the proxy with IAM, never with the database password.")
        if auth.get("secretArn") is None and auth.get("authScheme", "SECRETS") == "SECRETS":
            yield Finding("SecretArn::missing", f"{where}.secretArn", "the proxy reads database credentials from "
                          "Secrets Manager: set secretArn.")


rds_proxy_tls_iam = resource_rule(
    name="lp-rds-proxy-tls-iam",
    description=("RDS proxies require TLS and IAM authentication from clients, and read database credentials from "
                 "Secrets Manager: requireTls = true, auths[].iamAuth = REQUIRED, auths[].secretArn set."),
    types={PROXY}, level=EnforcementLevel.MANDATORY, check=_proxy_tls_iam, severity=Severity.HIGH,
)


# --- lp-secret-rotation (stack) ---------------------------------------------------------------------------

SECRET = "aws:secretsmanager/secret:Secret"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"


def _secret_rotation(stack: Stack, cfg: RuleConfig) -> Iterator[Item]:
    rotated: set[int] = set()
    secrets = stack.of_type(SECRET)
    for rotation in stack.of_type(SECRET_ROTATION):
        targets = stack.referenced(rotation, "secretId", secrets)
        if is_unknown(targets):
            yield Undecided(targets.path, resource=rotation)
            return
        rotated |= {id(t) for t in targets}
    for secret in secrets:
        name = secret.props.get("name") or secret.props.get("namePrefix") or secret.name
        if is_unknown(name):
            name = secret.name
        if not any(glob_match(p, str(name)) or glob_match(p, secret.name) for p in cfg["secretPatterns"]):
            continue
        if id(secret) not in rotated:
            yield Finding("Rotation::missing", "secret", f"secret {name} is never rotated: add a SecretRotation "
                          "(the RDS managed rotation function for database users).", resource=secret)


secret_rotation = stack_rule(
    name="lp-secret-rotation",
    description=("Database credentials in Secrets Manager rotate: every matching secret has a SecretRotation. "
                 "Where Aurora supports it (not in global databases), manageMasterUserPassword rotates the master "
                 "password itself."),
    level=EnforcementLevel.ADVISORY, check=_secret_rotation, severity=Severity.MEDIUM,
    config={"secretPatterns": {"type": "array", "items": {"type": "string"}, "default": ["*"],
                               "description": "Globs on secret names (or resource names) that must rotate."}},
)


# --- lp-opensearch-private-encrypted -------------------------------------------------------------------

DOMAIN = "aws:opensearch/domain:Domain"
DOMAIN_POLICY = "aws:opensearch/domainPolicy:DomainPolicy"


def _public_statements(document: Any, label: str, scoping: tuple[str, ...]) -> Iterator[Item]:
    for stmt in statements_or_findings(document, label):
        if not isinstance(stmt, Statement):
            yield stmt
        elif stmt.allows and stmt.public_principal() and not stmt.has_condition(*scoping):
            yield Finding("Principal::*", stmt.where, "allows anyone: name the principals (role ARNs), or limit "
                          f"with a condition ({', '.join(scoping[:3])}...).")


_SEARCH_SCOPING = ("aws:SourceIp", "aws:SourceVpce", "aws:SourceVpc", "aws:PrincipalOrgID", "aws:PrincipalAccount",
                   "aws:PrincipalArn")


def _opensearch(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    if res.type == DOMAIN_POLICY:
        policy = res.props.get("accessPolicies")
        if policy is not None:
            yield from _public_statements(policy, "accessPolicies", _SEARCH_SCOPING)
        return
    p = res.props
    subnets = dig(p, "vpcOptions", "subnetIds")
    if is_unknown(subnets):
        yield Undecided(subnets.path)
    elif not subnets:
        yield Finding("VpcOptions::missing", "vpcOptions", "place the domain in private subnets (vpcOptions) so it "
                      "has no public endpoint.")
    for block, token, what in (("encryptAtRest", "EncryptAtRest::false", "encryption at rest"),
                               ("nodeToNodeEncryption", "NodeToNodeEncryption::false", "node-to-node encryption")):
        enabled = dig(p, block, "enabled")
        if is_unknown(enabled):
            yield Undecided(enabled.path)
        elif not enabled:
            yield Finding(token, f"{block}.enabled", f"turn on {what} ({block}.enabled = true).")
    https = dig(p, "domainEndpointOptions", "enforceHttps")
    if is_unknown(https):
        yield Undecided(https.path)
    elif not https:
        yield Finding("EnforceHttps::false", "domainEndpointOptions.enforceHttps", "set enforceHttps = true.")
    tls = dig(p, "domainEndpointOptions", "tlsSecurityPolicy")
    if is_unknown(tls):
        yield Undecided(tls.path)
    elif tls not in cfg["allowedTlsPolicies"]:
        yield Finding(f"TlsSecurityPolicy::{tls or 'unset'}", "domainEndpointOptions.tlsSecurityPolicy",
                      f"use one of {', '.join(cfg['allowedTlsPolicies'])} so TLS 1.0/1.1 are refused.")
    fine_grained = dig(p, "advancedSecurityOptions", "enabled")
    if is_unknown(fine_grained):
        yield Undecided(fine_grained.path)
        return
    policy = p.get("accessPolicies")
    if policy is not None and not fine_grained:
        yield from _public_statements(policy, "accessPolicies", _SEARCH_SCOPING)


opensearch_private_encrypted = resource_rule(
    name="lp-opensearch-private-encrypted",
    description=("OpenSearch domains are private and encrypted: in a VPC, encryption at rest and node-to-node, HTTPS "
                 "only with a TLS 1.2 policy, and an access policy that names its principals (or fine-grained "
                 "access control)."),
    types={DOMAIN, DOMAIN_POLICY}, level=EnforcementLevel.MANDATORY, check=_opensearch, severity=Severity.HIGH,
    config={"allowedTlsPolicies": {"type": "array", "items": {"type": "string"},
                                   "default": ["Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10",
                                               "Policy-Min-TLS-1-2-RFC9151-FIPS-2024-08"],
                                   "description": "Accepted domainEndpointOptions.tlsSecurityPolicy values."}},
)


# --- lp-kinesis-encrypted ------------------------------------------------------------------------------

def _kinesis_encrypted(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    kind = res.props.get("encryptionType") or "NONE"
    if is_unknown(kind):
        yield Undecided(kind.path)
    elif kind != "KMS":
        yield Finding(f"EncryptionType::{kind}", "encryptionType", "set encryptionType = KMS with kmsKeyId "
                      "alias/aws/kinesis (the AWS-managed key costs nothing extra).")
    elif res.props.get("kmsKeyId") is None:
        yield Finding("KmsKeyId::missing", "kmsKeyId", "KMS encryption needs a key: use alias/aws/kinesis.")


kinesis_encrypted = resource_rule(
    name="lp-kinesis-encrypted",
    description="Kinesis streams are encrypted at rest: encryptionType = KMS (alias/aws/kinesis is free).",
    types={"aws:kinesis/stream:Stream"}, level=EnforcementLevel.MANDATORY, check=_kinesis_encrypted,
    severity=Severity.HIGH,
)


# --- lp-sns-encrypted / lp-loggroup-kms ------------------------------------------------------------------

def _sns_encrypted(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    key = res.props.get("kmsMasterKeyId")
    if is_unknown(key):
        yield Undecided(key.path)
    elif not key:
        yield Finding("KmsMasterKeyId::missing", "kmsMasterKeyId", "set kmsMasterKeyId (alias/aws/sns, or a key "
                      "whose policy lets the publishing services use it).")


sns_encrypted = resource_rule(
    name="lp-sns-encrypted",
    description="SNS topics encrypt messages at rest: set kmsMasterKeyId.",
    types={"aws:sns/topic:Topic"}, level=EnforcementLevel.ADVISORY, check=_sns_encrypted, severity=Severity.LOW,
)


def _loggroup_kms(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    key = res.props.get("kmsKeyId")
    if is_unknown(key):
        yield Undecided(key.path)
    elif not key:
        yield Finding("KmsKeyId::missing", "kmsKeyId", "logs are encrypted with an AWS-owned key; set kmsKeyId to a "
                      "customer key when log readers must be limited by key policy (a key costs $1/month).")


loggroup_kms = resource_rule(
    name="lp-loggroup-kms",
    description=("Log groups that may hold sensitive data are encrypted with a customer-managed KMS key (kmsKeyId); "
                 "advisory because the key has a cost."),
    types={"aws:cloudwatch/logGroup:LogGroup"}, level=EnforcementLevel.ADVISORY, check=_loggroup_kms,
    severity=Severity.LOW,
)


# --- lp-resource-policy-not-public -----------------------------------------------------------------------

RESOURCE_POLICY_TYPES = {
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sqs/queue:Queue": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:sns/topic:Topic": "policy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:secretsmanager/secret:Secret": "policy",
    "aws:kms/key:Key": "policy",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
}
# EventBridge and log delivery write to log groups under the documented resource-policy shape, which is
# scoped by the log-group ARN and carries no source condition: only Principal "*" is judged there.
_SOURCE_CONDITION_NOT_EXPECTED = {"aws:cloudwatch/logResourcePolicy:LogResourcePolicy"}
# Conditions that limit who (or which source) can use an Allow granted to "*" or to a service.
_RESOURCE_SCOPING = ("aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
                     "aws:SourceArn", "aws:SourceAccount", "aws:SourceOwner", "aws:SourceVpce", "aws:SourceVpc",
                     "aws:SourceOrgID", "kms:CallerAccount", "kms:ViaService")


def _resource_policy(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    key = RESOURCE_POLICY_TYPES[res.type]
    document = res.props.get(key)
    if document is None:
        return
    for stmt in statements_or_findings(document, key):
        if not isinstance(stmt, Statement):
            yield stmt
            continue
        if not stmt.allows:
            continue
        if stmt.public_principal() and not stmt.has_condition(*_RESOURCE_SCOPING):
            yield Finding("Principal::*", stmt.where, "allows anyone in any account: name the principals, or limit "
                          "with aws:PrincipalOrgID / aws:SourceArn / aws:SourceVpce.")
        if res.type in _SOURCE_CONDITION_NOT_EXPECTED:
            continue
        for service in (stmt.principals or {}).get("Service", ()):
            if not stmt.has_condition(*_RESOURCE_SCOPING) and not any(k.lower().startswith("kms:encryptioncontext")
                                                                      for k in stmt.condition_keys()):
                yield Finding(f"Principal::{service}", stmt.where,
                              f"{service} acts for every AWS customer: add aws:SourceArn (or aws:SourceAccount) so "
                              "only your own resources can use this grant (confused deputy).", subject="SourceArn")


resource_policy_not_public = resource_rule(
    name="lp-resource-policy-not-public",
    description=("Resource policies (SQS, SNS, S3, ECR, Secrets Manager, KMS, CloudWatch Logs) do not allow "
                 "Principal '*' without a limiting condition, and service principals carry aws:SourceArn / "
                 "aws:SourceAccount."),
    types=RESOURCE_POLICY_TYPES, level=EnforcementLevel.MANDATORY, check=_resource_policy, severity=Severity.CRITICAL,
)

RULES = [rds_cluster_encrypted, rds_iam_auth, rds_not_public, rds_deletion_protection, rds_proxy_tls_iam,
         secret_rotation, opensearch_private_encrypted, kinesis_encrypted, sns_encrypted, loggroup_kms,
         resource_policy_not_public]
