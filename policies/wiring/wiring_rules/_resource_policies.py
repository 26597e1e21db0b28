"""Who may deliver to a resource: queue and topic policies, Lambda permissions, CloudWatch Logs
resource policies and KMS key policies, each indexed once by the resource they govern."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ._compute import Roles
from ._core import Res, Undecided, UndecidedError, Unknown, glob_match
from ._documents import DocumentError, Statement, allows, statements
from ._graph import Graph, arn_parts

QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
LOG_POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
ROLE = "aws:iam/role:Role"


@dataclass(frozen=True)
class Grant:
    """A resource policy's verdict: ``ok`` or not, and the resource that holds the policy."""

    ok: bool
    holder: Res | None


class ResourcePolicies:
    def __init__(self, graph: Graph):
        self.graph = graph
        self._docs: dict[int, list[tuple[Res, object]]] = defaultdict(list)  # id(resource) -> (holder, doc)
        self._permissions: dict[int, list[Res]] = defaultdict(list)
        for kind, ref_key, target in ((QUEUE_POLICY, "queueUrl", QUEUE), (TOPIC_POLICY, "arn", TOPIC)):
            for holder in graph.of_type(kind):
                for res in graph.lookup(holder.props.get(ref_key), target):
                    self._docs[id(res)].append((holder, holder.props.get("policy")))
        for kind in (QUEUE, TOPIC):
            for res in graph.of_type(kind):
                if res.props.get("policy"):
                    self._docs[id(res)].append((res, res.props.get("policy")))
        for permission in graph.of_type(PERMISSION):
            for function in graph.lookup(permission.props.get("function"), FUNCTION):
                self._permissions[id(function)].append(permission)
        self._log_docs = [(p, p.props.get("policyDocument")) for p in graph.of_type(LOG_POLICY)]

    @classmethod
    def of(cls, graph: Graph) -> ResourcePolicies:
        cached = getattr(graph, "_resource_policies", None)
        if cached is None:
            cached = graph._resource_policies = cls(graph)  # type: ignore[attr-defined]
        return cached

    def _statements(self, holder: Res, doc: object) -> list[Statement]:
        try:
            return list(statements(doc, holder, "policy"))
        except DocumentError:
            return []

    def resource_allows(self, res: Res, action: str, service: str, source_arn: str | None) -> bool | None:
        """Whether the queue's or topic's policy lets ``service`` do ``action`` for ``source_arn``;
        None when the resource has no policy at all (the default policy lets only the owner account
        in: https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html)."""
        docs = self._docs.get(id(res), [])
        if not docs:
            return None
        arn = res.props.get("arn")
        merged = [s for holder, doc in docs for s in self._statements(holder, doc)]
        return allows(merged, action, arn if isinstance(arn, str) else None, service=service, source_arn=source_arn)

    def permissions(self, function: Res) -> list[Res]:
        return self._permissions.get(id(function), [])

    def lambda_allows(self, function: Res, qualifier: str | None, principal: str, source_arn: str) -> bool:
        """A ``lambda:InvokeFunction`` permission for ``principal`` whose source ARN (an ArnLike
        pattern: https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html) covers
        ``source_arn``, on the version or alias that is invoked."""
        for permission in self.permissions(function):
            p = permission.props
            if isinstance(p.get("sourceArn"), Unknown):
                raise UndecidedError(Undecided(permission, "sourceArn", "which caller the permission admits"))
            if p.get("principal") != principal or p.get("action") not in ("lambda:InvokeFunction", "lambda:*"):
                continue
            if (p.get("qualifier") or None) != (qualifier or None):
                continue
            if not p.get("sourceArn") or glob_match(p["sourceArn"], source_arn):
                return True
        return False

    def log_group_allows(self, log_group_arn: str, service: str) -> bool:
        merged = [s for holder, doc in self._log_docs for s in self._statements(holder, doc)]
        return all(
            allows(merged, action, log_group_arn.rstrip("*").rstrip(":") + ":*", service=service)
            for action in ("logs:CreateLogStream", "logs:PutLogEvents")
        )

    def key_of(self, key_ref: str, region: str | None) -> Res | None:
        """The stack's KMS key that a key id, key ARN, alias name or alias ARN names."""
        key = self.graph.one(key_ref, KEY, region=region)
        if key is not None:
            return key
        alias = self.graph.one(key_ref, ALIAS, region=region)
        if alias is None:
            return None
        return self.graph.one(alias.props.get("targetKeyArn") or alias.props.get("targetKeyId"), KEY, region=region)

    def key_problem(self, owner: Res, service: str) -> str | None:
        """Why ``service`` cannot use the customer managed key that encrypts ``owner`` (None when it
        can, or when ``owner`` is not encrypted with a customer managed key). A service that writes
        to an encrypted queue or topic needs ``kms:GenerateDataKey*`` and ``kms:Decrypt`` in the key
        policy (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html,
        https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html)."""
        key_ref = owner.props.get("kmsMasterKeyId") or owner.props.get("kmsKeyId")
        if key_ref is None or key_ref == "":
            return None
        if isinstance(key_ref, Unknown):
            raise UndecidedError(Undecided(owner, key_ref.path, "which key encrypts it"))
        if key_ref.startswith("alias/aws/") or key_ref.endswith(":alias/aws/sns") or key_ref.endswith(":alias/aws/sqs"):
            # An AWS managed key's policy cannot be changed to let another service in.
            return (
                f"it is encrypted with the AWS managed key {key_ref}, whose key policy cannot grant "
                f"{service}: use a customer managed key whose policy grants {service} kms:GenerateDataKey* "
                "and kms:Decrypt"
            )
        key = self.key_of(key_ref, self.graph.region_of(owner))
        if key is None:
            raise UndecidedError(Undecided(owner, "kmsMasterKeyId", f"the key policy of {key_ref} is not in the stack"))
        policy = self._statements(key, key.props.get("policy")) if key.props.get("policy") else None
        if isinstance(key.props.get("policy"), Unknown):
            raise UndecidedError(Undecided(key, "policy", "the key policy"))
        # No policy: the default key policy only lets the account's IAM identities in
        # (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
        missing = [
            a
            for a in ("kms:GenerateDataKey", "kms:Decrypt")
            if not policy or not allows(policy, a, None, service=service, account=_account(owner))
        ]
        if missing:
            return (
                f"its key {key.name} does not let {service} use it ({', '.join(missing)} missing from the key "
                f"policy): add a statement for the service principal {service}"
            )
        return None

    def role_allows(self, role_ref: str, owner: Res, action: str, resource: str, service: str) -> str | None:
        """Why the role a service assumes cannot do ``action`` on ``resource`` (None when it can)."""
        role = self.graph.one(role_ref, ROLE, owner=owner, why="the role the service assumes")
        if role is None:
            raise UndecidedError(Undecided(owner, "roleArn", f"the role {role_ref} is not in the stack"))
        trust = self._statements(role, role.props.get("assumeRolePolicy"))
        if trust and not allows(trust, "sts:AssumeRole", None, service=service):
            return f"its role {role.name} does not trust {service} (assumeRolePolicy)"
        granted = [s for s in Roles.of(self.graph).statements(role) if isinstance(s, Statement)]
        if not allows(granted, action, resource):
            return f"its role {role.name} does not allow {action} on {resource}"
        return None


def _account(res: Res) -> str | None:
    arn = res.props.get("arn")
    parts = arn_parts(arn) if isinstance(arn, str) else None
    return parts["account"] if parts else None


def arn_service(arn: str) -> str | None:
    parts = arn_parts(arn)
    if not parts:
        return None
    if parts["service"] == "events":
        return "api-destination" if parts["rest"].startswith("api-destination/") else "event-bus"
    return parts["service"]
