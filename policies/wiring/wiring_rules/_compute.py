"""VPC-attached compute (Lambda functions with ``vpcConfig``, ECS services in ``awsvpc`` mode, EC2
instances) and the AWS API calls their roles let them make, minus the calls AWS makes on their
behalf from outside the VPC."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from ._core import Res, Undecided, UndecidedError, Unknown, as_list, glob_match, known
from ._documents import DocumentError, Statement, statements
from ._graph import Graph, arn_parts

FUNCTION = "aws:lambda/function:Function"
ECS_SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
INSTANCE = "aws:ec2/instance:Instance"
INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile"
EIP = "aws:ec2/eip:Eip"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
MANAGED_POLICY = "aws:iam/policy:Policy"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"

# The AWS managed policies the blueprints attach, by the actions they grant (from each policy's
# page in the AWS Managed Policy reference, https://docs.aws.amazon.com/aws-managed-policy/latest/reference/).
AWS_MANAGED = {
    "AWSLambdaBasicExecutionRole": ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
    "AWSLambdaVPCAccessExecutionRole": (
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    ),
    "AmazonECSTaskExecutionRolePolicy": (
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ),
    "AmazonSSMManagedInstanceCore": (
        "ssm:UpdateInstanceInformation",
        "ssm:GetParameter",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
        "ec2messages:GetMessages",
        "ec2messages:AcknowledgeMessage",
        "ec2messages:SendReply",
    ),
}

# Calls the Lambda service makes itself, outside the function's network interfaces: log delivery
# (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html), managing the
# function's ENIs (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions).
LAMBDA_SERVICE_CALLS = (
    "logs:*",
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)
# An event source mapping's poller reads the source with the function's role
# (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html).
POLLER_CALLS = (
    "kinesis:Describe*",
    "kinesis:Get*",
    "kinesis:List*",
    "kinesis:SubscribeToShard",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ChangeMessageVisibility",
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
)
# Lambda sends to a dead-letter queue and to async/stream on-failure destinations itself
# (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
DELIVERY_CALLS = ("sqs:SendMessage", "sns:Publish")
# No AWS API call at all: an IAM database auth token is signed locally by the SDK
# (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html).
NO_API_CALL = ("rds-db:connect",)


@dataclass
class Compute:
    res: Res
    kind: str  # "function", "task", "instance"
    subnet_ids: list[str]
    security_groups: list[str]
    roles: list[Res]
    public_ip: bool  # an address that can use an internet gateway route
    env: str = ""  # the function's environment, to tell the code's own calls from Lambda's
    on_behalf: list[str] = field(default_factory=list)  # ARNs Lambda delivers to / polls itself


@dataclass(frozen=True)
class Call:
    action: str
    resource: str  # an ARN or "*"

    @property
    def service(self) -> str:
        return self.action.split(":", 1)[0].lower()


def _strings(value, owner: Res, why: str) -> list[str]:
    if isinstance(value, Unknown):
        raise UndecidedError(Undecided(owner, value.path, why))
    return [known(v, owner, why) for v in as_list(value)]


class Roles:
    """Each role's identity-policy statements (inline, RolePolicy, attachments), indexed once."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self._policies: dict[int, list[Res]] = defaultdict(list)
        self._attachments: dict[int, list[Res]] = defaultdict(list)
        for kind, store in ((ROLE_POLICY, self._policies), (ATTACHMENT, self._attachments)):
            for res in graph.of_type(kind):
                for role in graph.lookup(res.props.get("role"), ROLE):
                    store[id(role)].append(res)

    @classmethod
    def of(cls, graph: Graph) -> Roles:
        cached = getattr(graph, "_roles", None)
        if cached is None:
            cached = graph._roles = cls(graph)  # type: ignore[attr-defined]
        return cached

    def statements(self, role: Res) -> Iterator[Statement | Undecided]:
        for index, inline in enumerate(as_list(role.props.get("inlinePolicies"))):
            if isinstance(inline, dict):
                yield from self._parsed(inline.get("policy"), role, f"inlinePolicies[{index}]")
        for policy in self._policies.get(id(role), []):
            yield from self._parsed(policy.props.get("policy"), policy, "policy")
        for attachment in self._attachments.get(id(role), []):
            arn = attachment.props.get("policyArn")
            if isinstance(arn, Unknown):
                yield Undecided(attachment, arn.path, "which managed policy the role gets")
                continue
            managed = self.graph.one(arn, MANAGED_POLICY)
            if managed is not None:
                yield from self._parsed(managed.props.get("policy"), managed, "policy")
            elif isinstance(arn, str) and arn.rsplit("/", 1)[-1] in AWS_MANAGED:
                yield Statement("Allow", AWS_MANAGED[arn.rsplit("/", 1)[-1]], (), ("*",), None, ())
            else:
                yield Undecided(attachment, "policyArn", f"the pack does not know the actions of {arn}", pending=False)

    def _parsed(self, document, owner: Res, where: str) -> Iterator[Statement | Undecided]:
        try:
            yield from statements(document, owner, where)
        except UndecidedError as stop:
            yield stop.undecided
        except DocumentError:
            return  # not a policy: the security pack reports malformed documents

    def role(self, ref, owner: Res) -> Res:
        """The role ``ref`` names; one outside the stack is undecided (its policies cannot be read)."""
        role = self.graph.one(ref, ROLE, owner=owner, why="its role")
        if role is None:
            raise UndecidedError(Undecided(owner, "role", f"the role {ref} is not in the stack", pending=False))
        return role


def _lambda_deliveries(graph: Graph) -> dict[int, list[str]]:
    """Per function (by identity): the ARNs its event source mappings poll and deliver failures to,
    and its asynchronous destinations, indexed once."""
    cached = getattr(graph, "_deliveries", None)
    if cached is not None:
        return cached
    out: dict[int, list[str]] = defaultdict(list)
    for mapping in graph.of_type(ESM):
        for function in graph.lookup(mapping.props.get("functionName"), FUNCTION):
            out[id(function)] += [
                str(mapping.props.get("eventSourceArn") or ""),
                str(mapping.get("destinationConfig", "onFailure", "destinationArn") or ""),
            ]
    for config in graph.of_type(INVOKE_CONFIG):
        for function in graph.lookup(config.props.get("functionName"), FUNCTION):
            out[id(function)] += [
                str(config.get("destinationConfig", key, "destination") or "") for key in ("onFailure", "onSuccess")
            ]
    graph._deliveries = out  # type: ignore[attr-defined]
    return out


def _function(graph: Graph, res: Res, roles: Roles) -> Compute | None:
    vpc = res.get("vpcConfig")
    if isinstance(vpc, Unknown):
        raise UndecidedError(Undecided(res, vpc.path, "whether the function runs in a VPC"))
    subnets = _strings((vpc or {}).get("subnetIds"), res, "the function's subnets")
    if not subnets:
        return None
    role = roles.role(res.props.get("role"), res)
    on_behalf = [known(res.get("deadLetterConfig", "targetArn"), res, "the dead-letter target") or ""]
    on_behalf += _lambda_deliveries(graph).get(id(res), [])
    env = res.get("environment", "variables")
    return Compute(
        res,
        "function",
        subnets,
        _strings(vpc.get("securityGroupIds"), res, "its security groups"),
        [role],
        public_ip=False,  # Lambda ENIs never get a public address (configuration-vpc.html#vpc-internet)
        env=" ".join(str(v) for v in (env or {}).values()) if isinstance(env, dict) else "",
        on_behalf=[a for a in on_behalf if a],
    )


def _service(graph: Graph, res: Res, roles: Roles) -> Compute | None:
    net = res.get("networkConfiguration")
    if isinstance(net, Unknown):
        raise UndecidedError(Undecided(res, net.path, "the service's network"))
    if not net:
        return None
    task = graph.one(res.props.get("taskDefinition"), TASK_DEFINITION, owner=res, why="the task definition")
    found = []
    if task is not None:
        # Fargate pulls images, secrets and log streams through the task's ENI with the execution
        # role (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html),
        # so both roles' calls need a path.
        for key in ("taskRoleArn", "executionRoleArn"):
            if task.props.get(key):
                found.append(roles.role(task.props.get(key), task))
    return Compute(
        res,
        "task",
        _strings(net.get("subnets"), res, "the tasks' subnets"),
        _strings(net.get("securityGroups"), res, "the tasks' security groups"),
        found,
        public_ip=bool(known(net.get("assignPublicIp"), res, "whether tasks get a public IP")),
    )


def _instance(graph: Graph, res: Res, roles: Roles, eips: set[str]) -> Compute | None:
    subnet = known(res.props.get("subnetId"), res, "the instance's subnet")
    if not subnet:
        return None
    found = []
    profile = graph.one(res.props.get("iamInstanceProfile"), INSTANCE_PROFILE, owner=res, why="the instance profile")
    if profile is not None:
        found.append(roles.role(profile.props.get("role"), profile))
    public = bool(res.props.get("associatePublicIpAddress")) or res.props.get("id") in eips
    return Compute(
        res,
        "instance",
        [subnet],
        _strings(res.props.get("vpcSecurityGroupIds"), res, "its security groups"),
        found,
        public,
    )


def vpc_computes(graph: Graph) -> Iterator[Compute | Undecided]:
    roles = Roles.of(graph)
    eips = {e.props.get("instance") for e in graph.of_type(EIP) if isinstance(e.props.get("instance"), str)}
    makers = [
        (FUNCTION, lambda r: _function(graph, r, roles)),
        (ECS_SERVICE, lambda r: _service(graph, r, roles)),
        (INSTANCE, lambda r: _instance(graph, r, roles, eips)),
    ]
    for kind, make in makers:
        for res in graph.of_type(kind):
            try:
                compute = make(res)
            except UndecidedError as stop:
                yield stop.undecided
                continue
            if compute is not None:
                yield compute


def _matches(action: str, patterns) -> bool:
    return any(glob_match(p, action, False) for p in patterns)


def _named_in(arn: str, text: str) -> bool:
    """Whether the function's environment names the resource (by ARN, or a queue URL / name)."""
    parts = arn_parts(arn)
    name = parts["rest"].rsplit(":", 1)[-1].rsplit("/", 1)[-1] if parts else arn
    return bool(name) and (arn in text or name in text)


def api_calls(compute: Compute, roles: Roles) -> Iterator[Call | Undecided]:
    """The calls the compute itself makes, one per (action, resource) its roles allow; ``*`` actions
    (``s3:Get*``) stand for themselves, since any of them needs the same route."""
    for role in compute.roles:
        for item in roles.statements(role):
            if isinstance(item, Undecided):
                yield item
                continue
            if item.effect != "Allow" or item.not_actions:
                continue
            for action in item.actions:
                if action == "*" or _matches(action, NO_API_CALL):
                    continue
                for resource in item.resources:
                    if compute.kind == "function" and _lambda_makes_it(compute, action, resource):
                        continue
                    yield Call(action, resource)


def _lambda_makes_it(compute: Compute, action: str, resource: str) -> bool:
    if _matches(action, LAMBDA_SERVICE_CALLS):
        return True
    if _matches(action, POLLER_CALLS + DELIVERY_CALLS):
        # ...unless the code also names the resource (then it calls it too, from the VPC).
        ours = [arn for arn in compute.on_behalf if glob_match(resource, arn)]
        return bool(ours) and not any(_named_in(arn, compute.env) for arn in ours)
    return False
