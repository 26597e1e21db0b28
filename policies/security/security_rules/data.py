"""Data rules: databases, search, streams, secrets, logs and the resource policies in front of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ._core import (
    PROTECTION_CONFIG,
    Finding,
    Item,
    NotApplicable,
    Res,
    RuleConfig,
    Stack,
    Undecided,
    each_item,
    get,
    glob_match,
    is_unknown,
    required,
    resource_rule,
    stack_declares_protection,
    stack_rule,
)
from ._documents import Statement, statements_or_findings
from ._options import int_option, list_option

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
    if (
        res.type == GLOBAL_CLUSTER
        and res.props.get("sourceDbClusterIdentifier") is not None
        and res.props.get("storageEncrypted") is None
    ):
        yield NotApplicable("a global cluster built from an existing cluster inherits its encryption")
        return
    yield from _flag(
        res,
        "storageEncrypted",
        True,
        "StorageEncrypted::false",
        "set storageEncrypted = true (with a KMS key in each Region for a global database): data, "
        "snapshots and replicas are then encrypted at rest.",
        default=False,
    )


rds_cluster_encrypted = resource_rule(
    name="lp-rds-cluster-encrypted",
    description="Aurora clusters, global clusters and DB instances encrypt storage: set storageEncrypted = true.",
    types={CLUSTER, GLOBAL_CLUSTER, DB_INSTANCE},
    check=_cluster_encrypted,
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
    yield from _flag(
        res,
        "iamDatabaseAuthenticationEnabled",
        True,
        "IamDatabaseAuthentication::false",
        "set iamDatabaseAuthenticationEnabled = true so applications connect with short-lived IAM "
        "tokens instead of stored passwords.",
        default=False,
    )


rds_iam_auth = resource_rule(
    name="lp-rds-iam-auth",
    description="Databases accept IAM authentication: set iamDatabaseAuthenticationEnabled = true.",
    types={CLUSTER, DB_INSTANCE},
    check=_iam_auth,
    severity=Severity.MEDIUM,
)


# --- lp-rds-not-public ------------------------------------------------------------------------------


def _not_public(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    yield from _flag(
        res,
        "publiclyAccessible",
        False,
        "PubliclyAccessible::true",
        "set publiclyAccessible = false: clients reach the database from private subnets (through RDS Proxy).",
        default=False,
    )


rds_not_public = resource_rule(
    name="lp-rds-not-public",
    description="Database instances are not publicly accessible: set publiclyAccessible = false.",
    types={CLUSTER_INSTANCE, DB_INSTANCE, CLUSTER},
    check=_not_public,
    severity=Severity.CRITICAL,
)


# --- lp-rds-deletion-protection ---------------------------------------------------------------------


def _deletion_protection(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    if not stack_declares_protection(cfg):
        yield NotApplicable(f"the stack does not set {cfg['protectionConfigKey']}: its data may be torn down")
        return
    yield from _flag(
        res,
        "deletionProtection",
        True,
        "DeletionProtection::false",
        f"the stack declares its data protected ({cfg['protectionConfigKey']}): set deletionProtection "
        "= true so the database cannot be deleted by a mistaken update.",
        default=False,
    )


rds_deletion_protection = resource_rule(
    name="lp-rds-deletion-protection",
    description=(
        "In a stack that declares its data protected (protectStatefulResources), databases keep deletion protection on."
    ),
    types={CLUSTER, GLOBAL_CLUSTER, DB_INSTANCE},
    check=_deletion_protection,
    config=dict(PROTECTION_CONFIG),
)


# --- lp-rds-backup-retention --------------------------------------------------------------------------


def _backup_retention(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    if not stack_declares_protection(cfg):
        yield NotApplicable(f"the stack does not set {cfg['protectionConfigKey']}: its data may be torn down")
        return
    days = res.props.get("backupRetentionPeriod")
    if is_unknown(days):
        yield Undecided(days.path)
        return
    # Aurora and RDS keep automated backups 1 day unless told otherwise (RDS User Guide, "Backup
    # retention period"); 0 turns them off on RDS instances.
    effective = 1 if days is None else int(days)
    if effective < cfg["minimumDays"]:
        yield Finding(
            f"BackupRetentionPeriod::{effective}",
            "backupRetentionPeriod",
            f"the stack declares its data protected: keep automated backups at least {cfg['minimumDays']} "
            f"days (backupRetentionPeriod), not {effective}.",
        )


rds_backup_retention = resource_rule(
    name="lp-rds-backup-retention",
    description=(
        "In a stack that declares its data protected, databases keep automated backups for at least "
        "minimumDays (default 7)."
    ),
    types={CLUSTER, DB_INSTANCE},
    check=_backup_retention,
    config={
        "minimumDays": int_option(7, "Fewest days of automated backups.", minimum=1, maximum=35),
        **PROTECTION_CONFIG,
    },
)


# --- lp-rds-proxy-tls-iam -----------------------------------------------------------------------------


def _proxy_tls_iam(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    yield from _flag(
        res,
        "requireTls",
        True,
        "RequireTls::false",
        "set requireTls = true so connections to the proxy are encrypted.",
        default=False,
    )
    auths = res.props.get("auths")
    if is_unknown(auths):
        yield Undecided(auths.path)
        return
    scheme = res.props.get("defaultAuthScheme")
    if not auths:
        if is_unknown(scheme):
            yield Undecided(scheme.path)
        elif scheme != "IAM_AUTH":
            yield Finding(
                "Auth::missing",
                "auths",
                "configure auths (a Secrets Manager secret per database user, "
                "iamAuth REQUIRED) or defaultAuthScheme IAM_AUTH.",
            )
        return
    for index, auth in enumerate(each_item(auths)):
        if isinstance(auth, Undecided):
            yield auth
            continue
        where = f"auths[{index}]"
        iam = auth.get("iamAuth")
        if is_unknown(iam):
            yield Undecided(iam.path)
        elif iam != "REQUIRED":
            yield Finding(
                f"IamAuth::{iam or 'DISABLED'}",
                f"{where}.iamAuth",
                "set iamAuth = REQUIRED so clients "
                "authenticate to the proxy with IAM, never with the database password.",
            )
        if auth.get("secretArn") is None and auth.get("authScheme", "SECRETS") == "SECRETS":
            yield Finding(
                "SecretArn::missing",
                f"{where}.secretArn",
                "the proxy reads database credentials from Secrets Manager: set secretArn.",
            )


rds_proxy_tls_iam = resource_rule(
    name="lp-rds-proxy-tls-iam",
    description=(
        "RDS proxies require TLS and IAM authentication from clients, and read database credentials from "
        "Secrets Manager: requireTls = true, auths[].iamAuth = REQUIRED, auths[].secretArn set."
    ),
    types={PROXY},
    check=_proxy_tls_iam,
)


# --- lp-secret-rotation (stack) ---------------------------------------------------------------------------

SECRET = "aws:secretsmanager/secret:Secret"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"


def _secret_rotation(stack: Stack, cfg: RuleConfig) -> Iterator[Item]:
    if not stack_declares_protection(cfg):
        yield NotApplicable(f"the stack does not set {cfg['protectionConfigKey']}")
        return
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
            yield Finding(
                "Rotation::missing",
                "secret",
                f"secret {name} is never rotated: add a SecretRotation "
                "(the RDS managed rotation function for database users).",
                resource=secret,
            )


secret_rotation = stack_rule(
    name="lp-secret-rotation",
    description=(
        "In a stack that declares its data protected, credentials in Secrets Manager rotate: every "
        "matching secret has a SecretRotation. Where Aurora supports it (not in global databases), "
        "manageMasterUserPassword rotates the master password itself."
    ),
    check=_secret_rotation,
    config={
        "secretPatterns": list_option(["*"], "Globs on secret names (or resource names) that must rotate."),
        **PROTECTION_CONFIG,
    },
)


# --- lp-opensearch-private-encrypted -------------------------------------------------------------------

DOMAIN = "aws:opensearch/domain:Domain"
DOMAIN_POLICY = "aws:opensearch/domainPolicy:DomainPolicy"


def _public_statements(document: Any, label: str, scoping: tuple[str, ...]) -> Iterator[Item]:
    for stmt in statements_or_findings(document, label):
        if not isinstance(stmt, Statement):
            yield stmt
        elif stmt.public_unless(*scoping):
            yield Finding(
                "Principal::*",
                stmt.where,
                "allows anyone: name the principals (role ARNs), or limit "
                f"with a condition ({', '.join(scoping[:3])}...).",
            )


_SEARCH_SCOPING = (
    "aws:SourceIp",
    "aws:SourceVpce",
    "aws:SourceVpc",
    "aws:PrincipalOrgID",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
)


def _opensearch(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    if res.type == DOMAIN_POLICY:
        policy = res.props.get("accessPolicies")
        if policy is not None:
            yield from _public_statements(policy, "accessPolicies", _SEARCH_SCOPING)
        return
    p = res.props
    subnets = get(p, "vpcOptions", "subnetIds")
    yield from required(
        subnets,
        "VpcOptions::missing",
        "vpcOptions",
        "place the domain in private subnets (vpcOptions) so it has no public endpoint.",
    )
    for block, token, what in (
        ("encryptAtRest", "EncryptAtRest::false", "encryption at rest"),
        ("nodeToNodeEncryption", "NodeToNodeEncryption::false", "node-to-node encryption"),
    ):
        enabled = get(p, block, "enabled")
        yield from required(enabled, token, f"{block}.enabled", f"turn on {what} ({block}.enabled = true).")
    https = get(p, "domainEndpointOptions", "enforceHttps")
    yield from required(https, "EnforceHttps::false", "domainEndpointOptions.enforceHttps", "set enforceHttps = true.")
    tls = get(p, "domainEndpointOptions", "tlsSecurityPolicy")
    if is_unknown(tls):
        yield Undecided(tls.path)
    elif tls not in cfg["allowedTlsPolicies"]:
        yield Finding(
            f"TlsSecurityPolicy::{tls or 'unset'}",
            "domainEndpointOptions.tlsSecurityPolicy",
            f"use one of {', '.join(cfg['allowedTlsPolicies'])} so TLS 1.0/1.1 are refused.",
        )
    fine_grained = get(p, "advancedSecurityOptions", "enabled")
    if is_unknown(fine_grained):
        yield Undecided(fine_grained.path)
        return
    anonymous = get(p, "advancedSecurityOptions", "anonymousAuthEnabled")
    if is_unknown(anonymous):
        yield Undecided(anonymous.path)
    elif fine_grained and anonymous:
        # With anonymous auth on, unsigned requests get the anonymous role (OpenSearch Service Developer
        # Guide, "Fine-grained access control", anonymous authentication): meant for migrations only.
        yield Finding(
            "AnonymousAuthEnabled::true",
            "advancedSecurityOptions.anonymousAuthEnabled",
            "unsigned requests are served with the anonymous role: turn anonymous authentication off.",
        )
    policy = p.get("accessPolicies")
    if policy is not None and not fine_grained:
        yield from _public_statements(policy, "accessPolicies", _SEARCH_SCOPING)


opensearch_private_encrypted = resource_rule(
    name="lp-opensearch-private-encrypted",
    description=(
        "OpenSearch domains are private and encrypted: in a VPC, encryption at rest and node-to-node, HTTPS "
        "only with a TLS 1.2 policy, an access policy that names its principals (or fine-grained "
        "access control), and no anonymous access."
    ),
    types={DOMAIN, DOMAIN_POLICY},
    check=_opensearch,
    config={
        "allowedTlsPolicies": list_option(
            [
                "Policy-Min-TLS-1-2-2019-07",
                "Policy-Min-TLS-1-2-PFS-2023-10",
                "Policy-Min-TLS-1-2-RFC9151-FIPS-2024-08",
            ],
            "Accepted domainEndpointOptions.tlsSecurityPolicy values.",
        )
    },
)


# --- lp-kinesis-encrypted ------------------------------------------------------------------------------


def _kinesis_encrypted(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    kind = res.props.get("encryptionType") or "NONE"
    if is_unknown(kind):
        yield Undecided(kind.path)
    elif kind != "KMS":
        yield Finding(
            f"EncryptionType::{kind}",
            "encryptionType",
            "set encryptionType = KMS with kmsKeyId alias/aws/kinesis (the AWS-managed key costs nothing extra).",
        )
    elif res.props.get("kmsKeyId") is None:
        yield Finding("KmsKeyId::missing", "kmsKeyId", "KMS encryption needs a key: use alias/aws/kinesis.")


kinesis_encrypted = resource_rule(
    name="lp-kinesis-encrypted",
    description="Kinesis streams are encrypted at rest: encryptionType = KMS (alias/aws/kinesis is free).",
    types={"aws:kinesis/stream:Stream"},
    check=_kinesis_encrypted,
)


# --- lp-sqs-encrypted -----------------------------------------------------------------------------------


def _sqs_encrypted(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    key, managed = res.props.get("kmsMasterKeyId"), res.props.get("sqsManagedSseEnabled")
    if is_unknown(key):
        yield Undecided(key.path)
    elif key:
        return
    elif is_unknown(managed):
        yield Undecided(managed.path)
    elif managed is False:
        # New queues get SSE-SQS unless it is turned off (SQS Developer Guide, "Encryption at rest").
        yield Finding(
            "SqsManagedSseEnabled::false",
            "sqsManagedSseEnabled",
            "messages are stored unencrypted: leave sqsManagedSseEnabled on (free) or set kmsMasterKeyId.",
        )


sqs_encrypted = resource_rule(
    name="lp-sqs-encrypted",
    description="SQS queues encrypt messages at rest: SSE-SQS (the default, free) or a KMS key; never turned off.",
    types={"aws:sqs/queue:Queue"},
    check=_sqs_encrypted,
)


# --- lp-kms-key-rotation ----------------------------------------------------------------------------------


def _kms_rotation(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    spec = res.props.get("customerMasterKeySpec") or res.props.get("keySpec") or "SYMMETRIC_DEFAULT"
    if is_unknown(spec):
        yield Undecided(spec.path)
        return
    if spec != "SYMMETRIC_DEFAULT":
        # Automatic rotation exists for symmetric encryption keys only (KMS Developer Guide, "Rotate keys").
        yield NotApplicable(f"{spec} keys cannot rotate automatically")
        return
    rotation = res.props.get("enableKeyRotation")
    yield from required(
        rotation,
        "EnableKeyRotation::false",
        "enableKeyRotation",
        "turn on automatic rotation "
        "(enableKeyRotation = true): no cost per rotation, and old material keeps decrypting.",
    )


kms_key_rotation = resource_rule(
    name="lp-kms-key-rotation",
    description="Symmetric customer-managed KMS keys rotate their material automatically (enableKeyRotation).",
    types={"aws:kms/key:Key"},
    check=_kms_rotation,
    severity=Severity.MEDIUM,
)


# --- lp-s3-no-public-access ------------------------------------------------------------------------------

PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
# pulumi-aws 7 sets a bucket's ACL through these resources only (aws.s3.Bucket has no acl input).
BUCKET_ACL_TYPES = {"aws:s3/bucketAclV2:BucketAclV2": "acl", "aws:s3/bucketAcl:BucketAcl": "acl"}
_PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}
_PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _s3_public(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    if res.type == PUBLIC_ACCESS_BLOCK:
        for flag in _PAB_FLAGS:
            value = res.props.get(flag)
            if is_unknown(value):
                yield Undecided(value.path)
            elif value is not True:
                yield Finding(
                    f"{flag[0].upper() + flag[1:]}::false",
                    flag,
                    f"set {flag} = true: the bucket's public access block is only whole with all four settings on.",
                )
        return
    acl = res.props.get(BUCKET_ACL_TYPES[res.type])
    if is_unknown(acl):
        yield Undecided(acl.path)
    elif acl in _PUBLIC_ACLS:
        yield Finding(
            f"Acl::{acl}",
            "acl",
            f"the canned ACL {acl} opens the bucket to every (authenticated) AWS "
            "user: use private and grant access in the bucket policy.",
        )
    grants = get(res.props, "accessControlPolicy", "grants")
    for index, grant in enumerate(each_item(grants)):
        if isinstance(grant, Undecided):
            yield grant
            continue
        uri = str(get(grant, "grantee", "uri") or "")
        if uri.endswith(("/global/AllUsers", "/global/AuthenticatedUsers")):
            yield Finding(
                f"Grant::{uri.rsplit('/', 1)[-1]}",
                f"accessControlPolicy.grants[{index}]",
                "a grant to every (authenticated) AWS user: remove it.",
            )


s3_no_public_access = resource_rule(
    name="lp-s3-no-public-access",
    description=(
        "S3 buckets are never public: public access blocks keep all four settings on, and no ACL or grant "
        "opens a bucket to AllUsers or AuthenticatedUsers."
    ),
    types={PUBLIC_ACCESS_BLOCK, *BUCKET_ACL_TYPES},
    check=_s3_public,
    severity=Severity.CRITICAL,
)


# --- lp-sns-encrypted / lp-loggroup-kms ------------------------------------------------------------------


def _sns_encrypted(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    key = res.props.get("kmsMasterKeyId")
    yield from required(
        key,
        "KmsMasterKeyId::missing",
        "kmsMasterKeyId",
        "set kmsMasterKeyId (alias/aws/sns, or a key whose policy lets the publishing services use it).",
    )


sns_encrypted = resource_rule(
    name="lp-sns-encrypted",
    description="SNS topics encrypt messages at rest: set kmsMasterKeyId.",
    types={"aws:sns/topic:Topic"},
    level=EnforcementLevel.ADVISORY,
    check=_sns_encrypted,
    severity=Severity.LOW,
)


LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def _loggroup_kms(stack: Stack, cfg: RuleConfig) -> Iterator[Item]:
    """One finding for the stack, naming the groups: the decision (a customer key per Region, and a key
    policy for the logs service) is taken once for the stack, not per group."""
    groups = stack.of_type(LOG_GROUP)
    if not groups:
        yield NotApplicable("no log groups in the stack")
        return
    missing = []
    for group in groups:
        key = group.props.get("kmsKeyId")
        if is_unknown(key):
            yield Undecided(key.path, resource=group)
        elif not key and not any(
            glob_match(p, group.name) or glob_match(p, str(group.props.get("name") or ""))
            for p in cfg["exemptLogGroups"]
        ):
            missing.append(group)
    if missing:
        sample = ", ".join(g.name for g in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        yield Finding(
            "KmsKeyId::missing",
            f"{len(missing)} log groups",
            f"{sample} are encrypted with an AWS-owned "
            "key only: when log readers must be limited by key policy, give the stack one customer key "
            "per Region ($1/month each) and set kmsKeyId; list groups that hold no sensitive data in "
            "exemptLogGroups.",
            resource=missing[0],
        )


loggroup_kms = stack_rule(
    name="lp-loggroup-kms",
    description=(
        "Log groups that may hold sensitive data are encrypted with a customer-managed KMS key (kmsKeyId); "
        "one advisory for the stack, because the key has a cost and the choice is made once."
    ),
    level=EnforcementLevel.ADVISORY,
    check=_loggroup_kms,
    severity=Severity.LOW,
    config={
        "exemptLogGroups": list_option([], "Globs on log group (resource or AWS) names that need no customer key.")
    },
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
_RESOURCE_SCOPING = (
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOwner",
    "aws:SourceVpce",
    "aws:SourceVpc",
    "aws:SourceOrgID",
    "kms:CallerAccount",
    "kms:ViaService",
)


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
        if stmt.public_unless(*_RESOURCE_SCOPING):
            yield Finding(
                "Principal::*",
                stmt.where,
                "allows anyone in any account: name the principals, or limit "
                "with aws:PrincipalOrgID / aws:SourceArn / aws:SourceVpce.",
            )
        if res.type in _SOURCE_CONDITION_NOT_EXPECTED:
            continue
        for service in (stmt.principals or {}).get("Service", ()):
            if not stmt.has_condition(*_RESOURCE_SCOPING) and not any(
                k.lower().startswith("kms:encryptioncontext") for k in stmt.condition_keys()
            ):
                yield Finding(
                    f"Principal::{service}",
                    stmt.where,
                    f"{service} acts for every AWS customer: add aws:SourceArn (or aws:SourceAccount) so "
                    "only your own resources can use this grant (confused deputy).",
                    subject="SourceArn",
                )


resource_policy_not_public = resource_rule(
    name="lp-resource-policy-not-public",
    description=(
        "Resource policies (SQS, SNS, S3, ECR, Secrets Manager, KMS, CloudWatch Logs) do not allow "
        "Principal '*' without a limiting condition, and service principals carry aws:SourceArn / "
        "aws:SourceAccount."
    ),
    types=RESOURCE_POLICY_TYPES,
    check=_resource_policy,
    severity=Severity.CRITICAL,
)

RULES = [
    rds_cluster_encrypted,
    rds_iam_auth,
    rds_not_public,
    rds_deletion_protection,
    rds_backup_retention,
    rds_proxy_tls_iam,
    secret_rotation,
    opensearch_private_encrypted,
    kinesis_encrypted,
    sqs_encrypted,
    kms_key_rotation,
    s3_no_public_access,
    sns_encrypted,
    loggroup_kms,
    resource_policy_not_public,
]
