"""Architecture B: private REST APIs consumed across accounts, and the three consumer patterns.

A producer account publishes a private REST API (`PrivateApi`). Consumers reach it only through an
execute-api interface endpoint in their own VPC (`PrivateApiConsumer`); the API's resource policy
names the endpoints that may call it (`aws:SourceVpce`). Three ways to consume it:

1. `RegionalFrontDoor`: a Regional (public) REST API → VPC link → internal NLB → IP targets on the
   consumer endpoint's ENI addresses, health-checked on API Gateway's reserved `/ping`.
2. `VpcLambdaCaller`: a Lambda function in the consumer VPC calling the API through the endpoint.
3. `MtlsProxy` + `MtlsClientEndpoint`: NGINX on Fargate in the producer account verifies client
   certificates and forwards to the API through the proxy VPC's own execute-api endpoint; consumers
   reach it through a VPC endpoint service (PrivateLink). TLS material comes from Secrets Manager /
   SSM at task start (see `components/mtls_proxy`).

`CrossAccountPrivateApi` wires them in the order the references need: endpoints first (their IDs
go in the API's allow-list), then the API, then the patterns (they need the API's ID).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam
from components.lambda_function import PythonFunction, PythonFunctionArgs
from components.mtls_proxy import (
    MaterialSource,
    ProxyMaterial,
    ProxySettings,
    container_command,
    render_bootstrap_script,
)
from components.network import Network, NetworkArgs

PATTERN_FRONT_DOOR = "regional-front-door"
PATTERN_VPC_LAMBDA = "vpc-lambda"
PATTERN_MTLS_PROXY = "mtls-proxy"
PATTERNS = (PATTERN_FRONT_DOOR, PATTERN_VPC_LAMBDA, PATTERN_MTLS_PROXY)

HTTPS = 443
# API Gateway's reserved health path: 200 when the service is healthy (seed S4:725).
PING_PATH = "/ping"
# One JSON line per request; vpceId shows which endpoint (and so which consumer) called.
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "extendedRequestId": "$context.extendedRequestId",
    "sourceIp": "$context.identity.sourceIp", "vpceId": "$context.identity.vpceId",
    "caller": "$context.identity.caller", "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod", "resourcePath": "$context.resourcePath",
    "status": "$context.status", "protocol": "$context.protocol",
    "responseLength": "$context.responseLength", "integrationLatency": "$context.integrationLatency",
}, separators=(",", ":"))
LOG_RETENTION_DAYS = frozenset({1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                                1827, 2192, 2557, 2922, 3288, 3653})
NGINX_IMAGE = "public.ecr.aws/nginx/nginx:1.27"
AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.17.0"

_VPCE_ID = re.compile(r"^vpce-[0-9a-f]{8,17}$")
_STAGE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_AUTHORIZATION = ("AWS_IAM", "NONE")


def execute_api_host(api_id: pulumi.Input[str], region: str) -> pulumi.Output[str]:
    """The API's own host name: Host header and TLS name of every call through an endpoint."""
    return pulumi.Output.concat(api_id, f".execute-api.{region}.amazonaws.com")


def resource_policy(execution_arn: pulumi.Input[str],
                    allowed_vpce_ids: Sequence[pulumi.Input[str]]) -> pulumi.Output[str]:
    """Invoke allowed from the listed execute-api endpoints only; every other source denied.

    The Allow carries the same condition as the Deny, so no statement grants `Principal: *`
    unconditionally, and the explicit Deny wins over any other grant.
    """
    if not allowed_vpce_ids:
        raise ValueError("a private API needs at least one allowed VPC endpoint")

    def build(values: list) -> str:
        arn, *ids = values
        endpoints = sorted(set(ids))
        resource = f"{arn}/*"
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "InvokeFromAllowedEndpoints", "Effect": "Allow", "Principal": "*",
             "Action": "execute-api:Invoke", "Resource": resource,
             "Condition": {"StringEquals": {"aws:SourceVpce": endpoints}}},
            {"Sid": "DenyAllOtherEndpoints", "Effect": "Deny", "Principal": "*",
             "Action": "execute-api:Invoke", "Resource": resource,
             "Condition": {"StringNotEquals": {"aws:SourceVpce": endpoints}}},
        ]}, separators=(",", ":"))

    return pulumi.Output.all(execution_arn, *allowed_vpce_ids).apply(build)


def endpoint_policy(api_execution_arns: Sequence[pulumi.Input[str]]) -> pulumi.Output[str]:
    """Endpoint policy: `execute-api:Invoke` on the named APIs only (every stage, method and path).

    The APIs are named by execution ARN (`arn:aws:execute-api:<region>:<account>:<api-id>`). When the
    API is created in the same program, pass a `pulumi.deferred_output()` resolved with the API's
    execution ARN: the API's resource policy names this endpoint, so the endpoint has to be declared
    first, while in the resource graph the API comes first (RestApi → endpoint → RestApiPolicy).
    """
    if not api_execution_arns:
        raise ValueError("an execute-api endpoint policy needs at least one API")

    def build(arns: list) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": "InvokeNamedApis", "Effect": "Allow",
            # Calls to private APIs are anonymous unless signed; the resource side is what is scoped.
            "Principal": "*", "Action": "execute-api:Invoke",
            "Resource": [f"{arn}/*" for arn in sorted(set(arns))],
        }]}, separators=(",", ":"))

    return pulumi.Output.all(*api_execution_arns).apply(build)


def _check_log_retention(days: int) -> None:
    if days not in LOG_RETENTION_DAYS:
        raise ValueError(f"log_retention_days must be one of {sorted(LOG_RETENTION_DAYS)}, got {days}")


def _check_throttle(rate: float, burst: int) -> None:
    if not 0 < rate <= 10000:
        raise ValueError(f"throttling rate limit must be in (0, 10000] requests/s, got {rate}")
    if not 0 < burst <= 5000:
        raise ValueError(f"throttling burst limit must be in (0, 5000], got {burst}")


def logged_throttled_stage(owner: pulumi.Resource, name: str, *, provider: pulumi.ProviderResource,
                           rest_api: aws.apigateway.RestApi, deployment: aws.apigateway.Deployment,
                           stage_name: str, log_retention_days: int, throttling_rate_limit: float,
                           throttling_burst_limit: int, depends_on: Sequence[pulumi.Resource] = (),
                           ) -> tuple[aws.cloudwatch.LogGroup, aws.apigateway.Stage, aws.apigateway.MethodSettings]:
    """A stage with JSON access logs in its own log group, stage-wide throttling and ERROR
    execution logging (children of ``owner``)."""
    child = pulumi.ResourceOptions(parent=owner, provider=provider)
    access_logs = aws.cloudwatch.LogGroup(
        f"{name}-access-logs", name_prefix=f"/aws/apigateway/{name}-access-",
        retention_in_days=log_retention_days, opts=child)
    stage = aws.apigateway.Stage(
        f"{name}-stage", rest_api=rest_api.id, deployment=deployment.id, stage_name=stage_name,
        access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(
            destination_arn=access_logs.arn, format=ACCESS_LOG_FORMAT),
        opts=pulumi.ResourceOptions(parent=owner, provider=provider, depends_on=list(depends_on)))
    method_settings = aws.apigateway.MethodSettings(
        f"{name}-throttling", rest_api=rest_api.id, stage_name=stage.stage_name, method_path="*/*",
        settings=aws.apigateway.MethodSettingsSettingsArgs(
            throttling_rate_limit=throttling_rate_limit, throttling_burst_limit=throttling_burst_limit,
            # API-level metrics are free; per-method detailed metrics would bill per metric.
            metrics_enabled=False, logging_level="ERROR", data_trace_enabled=False),
        opts=child)
    return access_logs, stage, method_settings


def _https_ingress(name: str, *, security_group_id: pulumi.Input[str], description: str,
                   opts: pulumi.ResourceOptions, source_security_group_id: pulumi.Input[str] | None = None,
                   cidr: str | None = None, port: int = HTTPS) -> aws.vpc.SecurityGroupIngressRule:
    return aws.vpc.SecurityGroupIngressRule(
        name, security_group_id=security_group_id, ip_protocol="tcp", from_port=port, to_port=port,
        referenced_security_group_id=source_security_group_id, cidr_ipv4=cidr, description=description,
        opts=opts)


def _tcp_egress(name: str, *, security_group_id: pulumi.Input[str], description: str,
                opts: pulumi.ResourceOptions, destination_security_group_id: pulumi.Input[str] | None = None,
                cidr: str | None = None, port: int = HTTPS) -> aws.vpc.SecurityGroupEgressRule:
    return aws.vpc.SecurityGroupEgressRule(
        name, security_group_id=security_group_id, ip_protocol="tcp", from_port=port, to_port=port,
        referenced_security_group_id=destination_security_group_id, cidr_ipv4=cidr,
        description=description, opts=opts)


# ---------------------------------------------------------------------------------------------
# API Gateway account setting: the role API Gateway uses to write logs (one per account and Region)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ApiGatewayLoggingArgs:
    provider: pulumi.ProviderResource
    region: str


class ApiGatewayLogging(pulumi.ComponentResource):
    """Sets the account's API Gateway CloudWatch role in one Region (needed for stage logging).

    This is an account-and-Region singleton: create exactly one per pair across the whole stack.
    """

    def __init__(self, name: str, args: ApiGatewayLoggingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:ApiGatewayLogging", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        account = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self, provider=args.provider)).account_id
        self.role = aws.iam.Role(
            f"{name}-role", assume_role_policy=iam.service_trust_policy("apigateway.amazonaws.com",
                                                                        source_account=account),
            description="API Gateway writes execution and access logs to CloudWatch Logs", opts=child)
        self.role_policy = aws.iam.RolePolicy(f"{name}-logs", role=self.role.id, policy=iam.policy_document([
            # The role serves every API of the account in this Region and API Gateway names its
            # execution log groups itself, so log groups are matched by account and Region.
            iam.statement(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
                           "logs:DescribeLogStreams", "logs:PutLogEvents"],
                          [account.apply(lambda a: f"arn:aws:logs:{args.region}:{a}:log-group:*")]),
        ]), opts=child)
        self.account = aws.apigateway.Account(
            f"{name}-account", cloudwatch_role_arn=self.role.arn,
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[self.role_policy]))
        self.register_outputs({"roleArn": self.role.arn})


# ---------------------------------------------------------------------------------------------
# Producer: the private REST API
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PrivateApiArgs:
    """A private REST API with an echo Lambda integration (producer account).

    allowed_vpce_ids:    endpoints whose calls the resource policy accepts (all others denied)
    associated_vpce_ids: endpoints associated with the API, giving each one the
                         `{api-id}-{vpce-id}.execute-api.{region}.amazonaws.com` alias that works
                         when private DNS is off on that endpoint. Only for endpoints whose policy
                         does not name this API by a reference to it (that would be a cycle).
    """

    provider: pulumi.ProviderResource
    region: str
    allowed_vpce_ids: Sequence[pulumi.Input[str]]
    associated_vpce_ids: Sequence[pulumi.Input[str]] = ()
    stage_name: str = "dev"
    throttling_rate_limit: float = 100.0
    throttling_burst_limit: int = 50
    log_retention_days: int = 30
    echo_memory_mb: int = 256
    echo_timeout_seconds: int = 10
    depends_on: Sequence[pulumi.Resource] = ()  # e.g. the ApiGatewayLogging of this account/Region

    def __post_init__(self) -> None:
        if not self.allowed_vpce_ids:
            raise ValueError("allowed_vpce_ids: a private API needs at least one allowed VPC endpoint")
        for vpce in self.allowed_vpce_ids:
            if isinstance(vpce, str) and not _VPCE_ID.match(vpce):
                raise ValueError(f"allowed_vpce_ids: {vpce!r} is not a VPC endpoint id (vpce-...)")
        if not _STAGE.match(self.stage_name):
            raise ValueError(f"stage_name {self.stage_name!r}: letters, digits, _ and - only")
        _check_throttle(self.throttling_rate_limit, self.throttling_burst_limit)
        _check_log_retention(self.log_retention_days)


class PrivateApi(pulumi.ComponentResource):
    """Children: `echo` (PythonFunction), `rest_api`, `policy`, `deployment`, `stage`,
    `method_settings`, `access_logs`. Outputs: `api_id`, `execution_arn`, `stage_name`, `host`."""

    def __init__(self, name: str, args: PrivateApiArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:PrivateApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)

        self.echo = PythonFunction(f"{name}-echo", PythonFunctionArgs(
            source="private_api_echo", memory_mb=args.echo_memory_mb, timeout_seconds=args.echo_timeout_seconds,
            description="Private API integration: echoes the request context",
            log_retention_days=args.log_retention_days), opts=child)

        self.rest_api = aws.apigateway.RestApi(
            name, description="Private REST API reachable only through allow-listed execute-api endpoints",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(
                types="PRIVATE", vpc_endpoint_ids=list(args.associated_vpce_ids) or None),
            put_rest_api_mode="merge", opts=child)
        self.policy = aws.apigateway.RestApiPolicy(
            f"{name}-policy", rest_api_id=self.rest_api.id,
            policy=resource_policy(self.rest_api.execution_arn, args.allowed_vpce_ids), opts=child)

        # Every path and method goes to the echo function (Lambda proxy integration).
        proxy = aws.apigateway.Resource(f"{name}-proxy", rest_api=self.rest_api.id,
                                        parent_id=self.rest_api.root_resource_id, path_part="{proxy+}", opts=child)
        self.methods: list[aws.apigateway.Method] = []
        self.integrations: list[aws.apigateway.Integration] = []
        for label, resource_id in (("root", self.rest_api.root_resource_id), ("proxy", proxy.id)):
            # No authorizer: the resource policy admits only the allow-listed endpoints.
            method = aws.apigateway.Method(f"{name}-{label}-any", rest_api=self.rest_api.id, resource_id=resource_id,
                                           http_method="ANY", authorization="NONE", opts=child)
            integration = aws.apigateway.Integration(
                f"{name}-{label}-echo", rest_api=self.rest_api.id, resource_id=resource_id,
                http_method=method.http_method, type="AWS_PROXY", integration_http_method="POST",
                uri=self.echo.function.invoke_arn, opts=child)
            self.methods.append(method)
            self.integrations.append(integration)
        self.invoke_permission = aws.lambda_.Permission(
            f"{name}-invoke-echo", action="lambda:InvokeFunction", function=self.echo.function.name,
            principal="apigateway.amazonaws.com",
            # Bound to this API's stage; method and path stay open because every route is a proxy
            # to this one function and API Gateway sends the request's own path in the ARN.
            source_arn=self.rest_api.execution_arn.apply(lambda arn: f"{arn}/{args.stage_name}/*/*"), opts=child)

        # A new deployment whenever the routes or the resource policy change: policy changes on a
        # REST API take effect only when deployed.
        self.deployment = aws.apigateway.Deployment(
            f"{name}-deployment", rest_api=self.rest_api.id,
            triggers={"policy": self.policy.policy,
                      **{f"integration{i}": integ.id for i, integ in enumerate(self.integrations)}},
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider,
                                        depends_on=[self.policy, *self.methods, *self.integrations]))
        self.access_logs, self.stage, self.method_settings = logged_throttled_stage(
            self, name, provider=args.provider, rest_api=self.rest_api, deployment=self.deployment,
            stage_name=args.stage_name, log_retention_days=args.log_retention_days,
            throttling_rate_limit=args.throttling_rate_limit, throttling_burst_limit=args.throttling_burst_limit,
            depends_on=args.depends_on)

        self.api_id = self.rest_api.id
        self.execution_arn = self.rest_api.execution_arn
        self.stage_name = self.stage.stage_name
        self.host = execute_api_host(self.rest_api.id, args.region)
        self.register_outputs({"apiId": self.api_id, "stageName": self.stage_name, "host": self.host,
                               "invokeUrl": self.stage.invoke_url})


# ---------------------------------------------------------------------------------------------
# Consumer: a VPC with an execute-api endpoint
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PrivateApiConsumerArgs:
    """A VPC (private subnets in two AZs) with an execute-api interface endpoint.

    The endpoint's security group admits HTTPS only from `client_cidrs` and from the security
    groups of the patterns built on it; everything else in the VPC is refused.
    private_dns_enabled: `{api-id}.execute-api.{region}.amazonaws.com` resolves to the endpoint inside
    the VPC; it also stops Regional and edge-optimised APIs from being reached from that VPC.
    """

    provider: pulumi.ProviderResource
    region: str
    cidr_block: str
    api_execution_arns: Sequence[pulumi.Input[str]]  # the APIs this endpoint may reach
    private_dns_enabled: bool = True
    availability_zones: int = 2
    client_cidrs: tuple[str, ...] = ()
    public_subnets: bool = False  # with nat_gateways, for tasks that must reach AWS APIs (mTLS proxy)
    nat_gateways: int = 0
    subnet_prefix_length: int | None = None

    def __post_init__(self) -> None:
        if not self.api_execution_arns:
            raise ValueError("api_execution_arns: the endpoint policy names the APIs this endpoint may reach")
        if self.availability_zones < 2:
            raise ValueError("availability_zones: at least 2 (one endpoint ENI per AZ)")
        self.network_args()  # validates the CIDR, AZ and NAT settings

    def network_args(self) -> NetworkArgs:
        return NetworkArgs(region=self.region, cidr_block=self.cidr_block,
                           availability_zones=self.availability_zones, public_subnets=self.public_subnets,
                           private_subnets=True, nat_gateways=self.nat_gateways,
                           subnet_prefix_length=self.subnet_prefix_length)


class PrivateApiConsumer(pulumi.ComponentResource):
    """Children: `network`, `endpoint_security_group`, `endpoint`. Outputs: `endpoint_id`,
    `endpoint_dns_name` (the Regional DNS name of the endpoint)."""

    def __init__(self, name: str, args: PrivateApiConsumerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:PrivateApiConsumer", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        self.args = args
        self.provider = args.provider
        self.network = Network(f"{name}-net", args.network_args(), opts=child)
        self.endpoint_security_group = aws.ec2.SecurityGroup(
            f"{name}-execute-api", vpc_id=self.network.vpc_id,
            description="HTTPS to the execute-api endpoint from allowed sources only", opts=child)
        self.client_rules = [
            _https_ingress(f"{name}-execute-api-client-{i}", security_group_id=self.endpoint_security_group.id,
                           cidr=cidr, description="HTTPS from an allowed client network", opts=child)
            for i, cidr in enumerate(args.client_cidrs)]
        self.endpoint = aws.ec2.VpcEndpoint(
            f"{name}-execute-api", vpc_id=self.network.vpc_id, vpc_endpoint_type="Interface",
            service_name=f"com.amazonaws.{args.region}.execute-api",
            private_dns_enabled=args.private_dns_enabled, subnet_ids=self.network.private_subnet_ids,
            security_group_ids=[self.endpoint_security_group.id],
            policy=endpoint_policy(args.api_execution_arns),
            tags={"Name": f"{name}-execute-api"}, opts=child)
        self.endpoint_id = self.endpoint.id
        self.endpoint_dns_name = self.endpoint.dns_entries.apply(lambda entries: entries[0].dns_name)
        self.register_outputs({"vpcId": self.network.vpc_id, "endpointId": self.endpoint.id,
                               "endpointDnsName": self.endpoint_dns_name})

    def api_base_url(self, api_id: pulumi.Input[str], stage_name: pulumi.Input[str]) -> pulumi.Output[str]:
        """The URL a client in this VPC uses for the API's stage.

        With private DNS the API's own name resolves to the endpoint. Without it the client calls the
        endpoint's own DNS name and names the API in an `x-apigw-api-id` header (see
        `needs_api_id_header`); associating the endpoint with the API for the
        `{api-id}-{vpce-id}` alias is not an option here, as the endpoint's policy already names the API.
        """
        if self.args.private_dns_enabled:
            return pulumi.Output.concat("https://", execute_api_host(api_id, self.args.region), "/", stage_name)
        return pulumi.Output.concat("https://", self.endpoint_dns_name, "/", stage_name)

    @property
    def needs_api_id_header(self) -> bool:
        return not self.args.private_dns_enabled


def endpoint_ip_targets(name: str, endpoint: aws.ec2.VpcEndpoint, count: int, target_group_arn: pulumi.Input[str],
                        opts: pulumi.ResourceOptions) -> list[aws.lb.TargetGroupAttachment]:
    """One IP target per endpoint ENI (one ENI per subnet, so `count` is known up front and the
    attachments are created outside any `apply`)."""
    attachments = []
    invoke_opts = pulumi.InvokeOutputOptions(parent=opts.parent, provider=opts.provider)
    for index in range(count):
        eni = aws.ec2.get_network_interface_output(
            id=endpoint.network_interface_ids.apply(lambda ids, i=index: sorted(ids)[i]), opts=invoke_opts)
        attachments.append(aws.lb.TargetGroupAttachment(
            f"{name}-{index}", target_group_arn=target_group_arn, target_id=eni.private_ip, port=HTTPS,
            opts=opts))
    return attachments


# ---------------------------------------------------------------------------------------------
# Pattern 1: Regional API → VPC link → NLB → endpoint ENIs
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RegionalFrontDoorArgs:
    provider: pulumi.ProviderResource
    region: str
    consumer: PrivateApiConsumer
    api_id: pulumi.Input[str]
    api_stage_name: pulumi.Input[str]
    stage_name: str = "v1"
    authorization: str = "AWS_IAM"
    throttling_rate_limit: float = 100.0
    throttling_burst_limit: int = 50
    log_retention_days: int = 30
    depends_on: Sequence[pulumi.Resource] = ()

    def __post_init__(self) -> None:
        if self.authorization not in _AUTHORIZATION:
            raise ValueError(f"authorization {self.authorization!r}: one of {_AUTHORIZATION}")
        if not _STAGE.match(self.stage_name):
            raise ValueError(f"stage_name {self.stage_name!r}: letters, digits, _ and - only")
        _check_throttle(self.throttling_rate_limit, self.throttling_burst_limit)
        _check_log_retention(self.log_retention_days)


class RegionalFrontDoor(pulumi.ComponentResource):
    """Children: `nlb`, `target_group`, `targets`, `listener`, `vpc_link`, `rest_api`, `stage`."""

    def __init__(self, name: str, args: RegionalFrontDoorArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:RegionalFrontDoor", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        consumer = args.consumer
        network = consumer.network

        self.nlb_security_group = aws.ec2.SecurityGroup(
            f"{name}-nlb", vpc_id=network.vpc_id, description="Front-door NLB: to the execute-api endpoint only",
            opts=child)
        _tcp_egress(f"{name}-nlb-to-endpoint", security_group_id=self.nlb_security_group.id,
                    destination_security_group_id=consumer.endpoint_security_group.id,
                    description="HTTPS and /ping health checks to the execute-api endpoint", opts=child)
        _https_ingress(f"{name}-endpoint-from-nlb", security_group_id=consumer.endpoint_security_group.id,
                       source_security_group_id=self.nlb_security_group.id,
                       description="HTTPS from the front-door NLB", opts=child)
        self.nlb = aws.lb.LoadBalancer(
            f"{name}-nlb", load_balancer_type="network", internal=True, subnets=network.private_subnet_ids,
            security_groups=[self.nlb_security_group.id], enable_cross_zone_load_balancing=True,
            # The VPC link reaches the NLB over PrivateLink; its traffic has no source to match.
            enforce_security_group_inbound_rules_on_private_link_traffic="off", opts=child)
        self.target_group = aws.lb.TargetGroup(
            f"{name}-endpoint", target_type="ip", port=HTTPS, protocol="TCP", vpc_id=network.vpc_id,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True, protocol="HTTPS", path=PING_PATH, port=str(HTTPS), matcher="200",
                interval=30, healthy_threshold=3, unhealthy_threshold=3),
            opts=child)
        self.targets = endpoint_ip_targets(f"{name}-endpoint-ip", consumer.endpoint,
                                           consumer.args.availability_zones, self.target_group.arn, child)
        self.listener = aws.lb.Listener(
            f"{name}-https", load_balancer_arn=self.nlb.arn, port=HTTPS, protocol="TCP",
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=self.target_group.arn)],
            opts=child)
        self.vpc_link = aws.apigateway.VpcLink(
            f"{name}-link", target_arn=self.nlb.arn, description="Front door to the execute-api endpoint",
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[self.listener]))

        self.rest_api = aws.apigateway.RestApi(
            name, description="Regional front door to private APIs in other accounts",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types="REGIONAL"), opts=child)
        target = pulumi.Output.concat("https://", execute_api_host(args.api_id, args.region), "/",
                                      args.api_stage_name)
        proxy = aws.apigateway.Resource(f"{name}-proxy", rest_api=self.rest_api.id,
                                        parent_id=self.rest_api.root_resource_id, path_part="{proxy+}", opts=child)
        self.methods = []
        self.integrations = []
        for label, resource_id, uri, params in (
            ("root", self.rest_api.root_resource_id, pulumi.Output.concat(target, "/"), None),
            ("proxy", proxy.id, pulumi.Output.concat(target, "/{proxy}"), {"method.request.path.proxy": True}),
        ):
            method = aws.apigateway.Method(
                f"{name}-{label}-any", rest_api=self.rest_api.id, resource_id=resource_id, http_method="ANY",
                authorization=args.authorization, request_parameters=params, opts=child)
            # HTTP proxy over the VPC link: API Gateway sends Host and SNI from the URI, which is
            # how the endpoint picks the private API.
            self.integrations.append(aws.apigateway.Integration(
                f"{name}-{label}-private-api", rest_api=self.rest_api.id, resource_id=resource_id,
                http_method=method.http_method, type="HTTP_PROXY", integration_http_method="ANY", uri=uri,
                connection_type="VPC_LINK", connection_id=self.vpc_link.id,
                request_parameters={"integration.request.path.proxy": "method.request.path.proxy"} if params else None,
                opts=child))
            self.methods.append(method)
        self.deployment = aws.apigateway.Deployment(
            f"{name}-deployment", rest_api=self.rest_api.id,
            triggers={f"integration{i}": integ.id for i, integ in enumerate(self.integrations)},
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider,
                                        depends_on=[*self.methods, *self.integrations]))
        self.access_logs, self.stage, self.method_settings = logged_throttled_stage(
            self, name, provider=args.provider, rest_api=self.rest_api, deployment=self.deployment,
            stage_name=args.stage_name, log_retention_days=args.log_retention_days,
            throttling_rate_limit=args.throttling_rate_limit, throttling_burst_limit=args.throttling_burst_limit,
            depends_on=args.depends_on)
        self.url = self.stage.invoke_url
        self.register_outputs({"url": self.url, "nlbArn": self.nlb.arn, "vpcLinkId": self.vpc_link.id})


# ---------------------------------------------------------------------------------------------
# Pattern 2: a Lambda function in the consumer VPC
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VpcLambdaCallerArgs:
    provider: pulumi.ProviderResource
    consumer: PrivateApiConsumer
    api_id: pulumi.Input[str]
    api_stage_name: pulumi.Input[str]
    api_path: str = "/"
    connect_timeout_seconds: float = 3.0
    read_timeout_seconds: float = 10.0
    memory_mb: int = 256
    log_retention_days: int = 30

    def __post_init__(self) -> None:
        if not self.api_path.startswith("/"):
            raise ValueError(f"api_path {self.api_path!r} must start with /")
        if not 0 < self.connect_timeout_seconds <= 30 or not 0 < self.read_timeout_seconds <= 60:
            raise ValueError("timeouts: connect in (0, 30] s and read in (0, 60] s")
        _check_log_retention(self.log_retention_days)

    @property
    def function_timeout_seconds(self) -> int:
        # Room for a retry and the caller's own deadline margin.
        return int(2 * (self.connect_timeout_seconds + self.read_timeout_seconds)) + 2


class VpcLambdaCaller(pulumi.ComponentResource):
    """Children: `security_group`, `function` (PythonFunction in the consumer's private subnets)."""

    def __init__(self, name: str, args: VpcLambdaCallerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:VpcLambdaCaller", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        consumer = args.consumer
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-fn", vpc_id=consumer.network.vpc_id,
            description="Private API caller: HTTPS to the execute-api endpoint only", opts=child)
        _tcp_egress(f"{name}-fn-to-endpoint", security_group_id=self.security_group.id,
                    destination_security_group_id=consumer.endpoint_security_group.id,
                    description="HTTPS to the execute-api endpoint", opts=child)
        _https_ingress(f"{name}-endpoint-from-fn", security_group_id=consumer.endpoint_security_group.id,
                       source_security_group_id=self.security_group.id,
                       description="HTTPS from the private API caller function", opts=child)
        environment: dict[str, pulumi.Input[str]] = {
            "API_URL": consumer.api_base_url(args.api_id, args.api_stage_name),
            "API_PATH": args.api_path,
            "CONNECT_TIMEOUT_SECONDS": f"{args.connect_timeout_seconds:g}",
            "READ_TIMEOUT_SECONDS": f"{args.read_timeout_seconds:g}",
        }
        if consumer.needs_api_id_header:
            environment["API_ID"] = args.api_id
        self.function = PythonFunction(f"{name}-fn", PythonFunctionArgs(
            source="private_api_caller", memory_mb=args.memory_mb,
            timeout_seconds=args.function_timeout_seconds,
            description="Calls the private API through the execute-api endpoint",
            environment=environment, subnet_ids=consumer.network.private_subnet_ids,
            security_group_ids=[self.security_group.id], log_retention_days=args.log_retention_days), opts=child)
        self.register_outputs({"functionName": self.function.name, "apiUrl": environment["API_URL"]})


# ---------------------------------------------------------------------------------------------
# Pattern 3: the mTLS NGINX proxy on Fargate, published through a VPC endpoint service
# ---------------------------------------------------------------------------------------------

def material_source(arn: str) -> MaterialSource:
    """A Secrets Manager secret ARN or an SSM parameter ARN, as a bootstrap material source."""
    service = arn.split(":")[2] if arn.count(":") >= 5 else ""
    if service not in ("secretsmanager", "ssm"):
        raise ValueError(f"{arn!r}: expected a Secrets Manager secret ARN or an SSM parameter ARN")
    return MaterialSource(service, arn)


@dataclass(frozen=True)
class MtlsProxyArgs:
    """NGINX verifying client certificates in front of the private API (producer account).

    network: the proxy's own VPC with its execute-api endpoint (a PrivateApiConsumer with NAT, so
    the task can pull images and read its TLS material).
    server_certificate_arn / server_key_arn / client_ca_arn: Secrets Manager secret or SSM
    SecureString parameter ARNs; their values never appear in the task definition.
    allowed_principal_account_ids: accounts allowed to create endpoints to the endpoint service.
    """

    provider: pulumi.ProviderResource
    region: str
    network: PrivateApiConsumer
    api_id: pulumi.Input[str]
    api_stage_name: str
    server_certificate_arn: str
    server_key_arn: str
    client_ca_arn: str
    allowed_principal_account_ids: Sequence[pulumi.Input[str]]
    kms_key_arns: tuple[str, ...] = ()
    desired_count: int = 2
    cpu: int = 256
    memory_mb: int = 512
    min_tls_version: str = "TLSv1.2"
    health_port: int = 8080
    nginx_image: str = NGINX_IMAGE
    init_image: str = AWS_CLI_IMAGE
    log_retention_days: int = 30

    def __post_init__(self) -> None:
        self.material()  # raises on a bad ARN
        self.proxy_settings("abcdefghij.execute-api.us-east-1.amazonaws.com", "vpce-0.example")  # checks the rest
        if not self.allowed_principal_account_ids:
            raise ValueError("allowed_principal_account_ids: name the consumer account(s) of the endpoint service")
        if not 1 <= self.desired_count <= 10:
            raise ValueError(f"desired_count must be 1-10, got {self.desired_count}")
        if (self.cpu, self.memory_mb) not in ((256, 512), (256, 1024), (512, 1024), (512, 2048), (1024, 2048)):
            raise ValueError(f"cpu/memory {self.cpu}/{self.memory_mb}: use a Fargate size such as 256/512")
        _check_log_retention(self.log_retention_days)

    def material(self) -> ProxyMaterial:
        return ProxyMaterial(server_certificate=material_source(self.server_certificate_arn),
                             server_key=material_source(self.server_key_arn),
                             client_ca=material_source(self.client_ca_arn))

    def proxy_settings(self, api_host: str, upstream_address: str) -> ProxySettings:
        return ProxySettings(api_host=api_host, upstream_address=upstream_address, stage_name=self.api_stage_name,
                             min_tls_version=self.min_tls_version, health_port=self.health_port)


class MtlsProxy(pulumi.ComponentResource):
    """Children: `proxy_security_group`, `nlb_security_group`, `log_group`, `execution_role`,
    `task_role`, `task_definition`, `cluster`, `service`, `nlb`, `target_group`, `listener`,
    `endpoint_service`. Output: `service_name` (for consumers' interface endpoints)."""

    def __init__(self, name: str, args: MtlsProxyArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:MtlsProxy", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        network = args.network
        vpc_id = network.network.vpc_id
        material = args.material()
        account = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self, provider=args.provider)).account_id

        # Security groups: clients → (endpoint service) NLB → proxy → execute-api endpoint. Only the
        # proxy may use the endpoint, so nothing in this VPC bypasses the certificate check.
        self.nlb_security_group = aws.ec2.SecurityGroup(
            f"{name}-nlb", vpc_id=vpc_id, description="mTLS proxy NLB: to the proxy tasks only", opts=child)
        self.proxy_security_group = aws.ec2.SecurityGroup(
            f"{name}-tasks", vpc_id=vpc_id, description="mTLS proxy tasks", opts=child)
        for port, what in ((HTTPS, "mTLS traffic"), (args.health_port, "health checks")):
            _tcp_egress(f"{name}-nlb-to-tasks-{port}", security_group_id=self.nlb_security_group.id,
                        destination_security_group_id=self.proxy_security_group.id, port=port,
                        description=f"{what} to the proxy tasks", opts=child)
            _https_ingress(f"{name}-tasks-from-nlb-{port}", security_group_id=self.proxy_security_group.id,
                           source_security_group_id=self.nlb_security_group.id, port=port,
                           description=f"{what} from the proxy NLB", opts=child)
        _tcp_egress(f"{name}-tasks-to-endpoint", security_group_id=self.proxy_security_group.id,
                    destination_security_group_id=network.endpoint_security_group.id,
                    description="HTTPS to the private API through the execute-api endpoint", opts=child)
        _https_ingress(f"{name}-endpoint-from-tasks", security_group_id=network.endpoint_security_group.id,
                       source_security_group_id=self.proxy_security_group.id,
                       description="HTTPS from the mTLS proxy tasks only", opts=child)
        # Secrets Manager, SSM, CloudWatch Logs and the public image registry, through the NAT gateway.
        _tcp_egress(f"{name}-tasks-to-aws-apis", security_group_id=self.proxy_security_group.id,
                    cidr="0.0.0.0/0", description="HTTPS to AWS APIs and the image registry (via NAT)",
                    opts=child)

        self.log_group = aws.cloudwatch.LogGroup(f"{name}-logs", name_prefix=f"/ecs/{name}-",
                                                 retention_in_days=args.log_retention_days, opts=child)
        ecs_trust = iam.service_trust_policy("ecs-tasks.amazonaws.com", source_account=account)
        self.execution_role = aws.iam.Role(f"{name}-execution", assume_role_policy=ecs_trust,
                                           description="ECS agent: write the proxy's logs", opts=child)
        aws.iam.RolePolicy(f"{name}-execution-logs", role=self.execution_role.id, policy=iam.policy_document([
            iam.statement(["logs:CreateLogStream", "logs:PutLogEvents"],
                          [self.log_group.arn.apply(lambda arn: f"{arn}:*")])]), opts=child)
        self.task_role = aws.iam.Role(f"{name}-task", assume_role_policy=ecs_trust,
                                      description="mTLS proxy start-up: read its TLS material", opts=child)
        secrets = [s.ref for _, s, _ in material.files() if s.kind == "secretsmanager"]
        parameters = [s.ref for _, s, _ in material.files() if s.kind == "ssm"]
        statements = []
        if secrets:
            statements.append(iam.statement(["secretsmanager:GetSecretValue"], sorted(set(secrets))))
        if parameters:
            statements.append(iam.statement(["ssm:GetParameter"], sorted(set(parameters))))
        if args.kms_key_arns:
            statements.append(iam.statement(["kms:Decrypt"], list(args.kms_key_arns), conditions={
                "StringEquals": {"kms:ViaService": [f"secretsmanager.{args.region}.amazonaws.com",
                                                    f"ssm.{args.region}.amazonaws.com"]}}))
        self.task_role_policy = aws.iam.RolePolicy(f"{name}-task-material", role=self.task_role.id,
                                                   policy=iam.policy_document(statements), opts=child)

        def containers(values: list) -> str:
            api_host, endpoint_dns, log_group = values
            settings = args.proxy_settings(api_host, endpoint_dns)
            logging = {"logDriver": "awslogs", "options": {
                "awslogs-group": log_group, "awslogs-region": args.region, "awslogs-stream-prefix": name}}
            return json.dumps([
                {
                    "name": "fetch-tls-material", "image": args.init_image, "essential": False,
                    "entryPoint": ["/bin/sh", "-c"],
                    "command": [render_bootstrap_script(settings, material, args.region)],
                    "readonlyRootFilesystem": True,
                    # The root file system is read-only; anything the CLI writes goes to the tmp volume.
                    "environment": [{"name": "HOME", "value": "/tmp"}],
                    "mountPoints": [{"sourceVolume": "tls-material", "containerPath": settings.material_dir},
                                    {"sourceVolume": "init-tmp", "containerPath": "/tmp"}],
                    "logConfiguration": logging,
                },
                {
                    "name": "nginx", "image": args.nginx_image, "essential": True,
                    "command": container_command(settings),
                    "readonlyRootFilesystem": True,
                    "portMappings": [{"containerPort": HTTPS, "protocol": "tcp"},
                                     {"containerPort": settings.health_port, "protocol": "tcp"}],
                    "mountPoints": [
                        {"sourceVolume": "tls-material", "containerPath": settings.material_dir, "readOnly": True},
                        {"sourceVolume": "nginx-runtime", "containerPath": settings.runtime_dir}],
                    "dependsOn": [{"containerName": "fetch-tls-material", "condition": "SUCCESS"}],
                    "healthCheck": {"command": ["CMD-SHELL", f"curl -fs http://127.0.0.1:{settings.health_port}/health"
                                                             " || exit 1"],
                                    "interval": 15, "timeout": 5, "retries": 3, "startPeriod": 10},
                    "logConfiguration": logging,
                },
            ])

        self.task_definition = aws.ecs.TaskDefinition(
            f"{name}-task", family=f"{name}-mtls-proxy", cpu=str(args.cpu), memory=str(args.memory_mb),
            network_mode="awsvpc", requires_compatibilities=["FARGATE"],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(cpu_architecture="ARM64",
                                                                       operating_system_family="LINUX"),
            execution_role_arn=self.execution_role.arn, task_role_arn=self.task_role.arn,
            volumes=[aws.ecs.TaskDefinitionVolumeArgs(name=v) for v in ("tls-material", "nginx-runtime", "init-tmp")],
            # Rendered from Outputs without creating resources: the API host and the endpoint name.
            container_definitions=pulumi.Output.all(
                execute_api_host(args.api_id, args.region), network.endpoint_dns_name, self.log_group.name,
            ).apply(containers),
            opts=child)

        self.nlb = aws.lb.LoadBalancer(
            f"{name}-nlb", load_balancer_type="network", internal=True, subnets=network.network.private_subnet_ids,
            security_groups=[self.nlb_security_group.id], enable_cross_zone_load_balancing=True,
            # Consumers arrive over PrivateLink (the endpoint service); the certificate check is the gate.
            enforce_security_group_inbound_rules_on_private_link_traffic="off", opts=child)
        self.target_group = aws.lb.TargetGroup(
            f"{name}-tasks", target_type="ip", port=HTTPS, protocol="TCP", vpc_id=vpc_id,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True, protocol="HTTP", port=str(args.health_port), path="/health", matcher="200",
                interval=10, healthy_threshold=2, unhealthy_threshold=2),
            deregistration_delay=30, opts=child)
        self.listener = aws.lb.Listener(
            f"{name}-tls-passthrough", load_balancer_arn=self.nlb.arn, port=HTTPS, protocol="TCP",
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=self.target_group.arn)],
            opts=child)
        self.cluster = aws.ecs.Cluster(f"{name}-cluster", opts=child)
        self.service = aws.ecs.Service(
            f"{name}-service", cluster=self.cluster.arn, task_definition=self.task_definition.arn,
            launch_type="FARGATE", platform_version="LATEST", desired_count=args.desired_count,
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=network.network.private_subnet_ids, security_groups=[self.proxy_security_group.id],
                assign_public_ip=False),
            load_balancers=[aws.ecs.ServiceLoadBalancerArgs(target_group_arn=self.target_group.arn,
                                                            container_name="nginx", container_port=HTTPS)],
            health_check_grace_period_seconds=60,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            propagate_tags="SERVICE",
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[self.listener]))
        self.endpoint_service = aws.ec2.VpcEndpointService(
            f"{name}-service-endpoint", network_load_balancer_arns=[self.nlb.arn],
            # Only the named accounts may connect; no manual acceptance step in between.
            acceptance_required=False,
            allowed_principals=[pulumi.Output.concat("arn:aws:iam::", a, ":root")
                                for a in args.allowed_principal_account_ids],
            tags={"Name": f"{name}-mtls-proxy"}, opts=child)
        self.service_name = self.endpoint_service.service_name
        self.register_outputs({"serviceName": self.service_name, "nlbArn": self.nlb.arn,
                               "taskDefinitionArn": self.task_definition.arn})


@dataclass(frozen=True)
class MtlsClientEndpointArgs:
    """A consumer's interface endpoint to the mTLS proxy's endpoint service."""

    provider: pulumi.ProviderResource
    consumer: PrivateApiConsumer
    service_name: pulumi.Input[str]
    client_cidrs: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.client_cidrs:
            raise ValueError("client_cidrs: name the networks of the mTLS clients")


class MtlsClientEndpoint(pulumi.ComponentResource):
    def __init__(self, name: str, args: MtlsClientEndpointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:MtlsClientEndpoint", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        network = args.consumer.network
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg", vpc_id=network.vpc_id, description="mTLS clients to the proxy endpoint", opts=child)
        for i, cidr in enumerate(args.client_cidrs):
            _https_ingress(f"{name}-client-{i}", security_group_id=self.security_group.id, cidr=cidr,
                           description="HTTPS (mTLS) from an allowed client network", opts=child)
        self.endpoint = aws.ec2.VpcEndpoint(
            f"{name}-endpoint", vpc_id=network.vpc_id, vpc_endpoint_type="Interface",
            service_name=args.service_name, subnet_ids=network.private_subnet_ids,
            security_group_ids=[self.security_group.id], private_dns_enabled=False,
            tags={"Name": f"{name}-mtls-proxy"}, opts=child)
        self.dns_name = self.endpoint.dns_entries.apply(lambda entries: entries[0].dns_name)
        self.register_outputs({"endpointId": self.endpoint.id, "dnsName": self.dns_name})


# ---------------------------------------------------------------------------------------------
# The whole architecture, wired in dependency order
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CrossAccountPrivateApiArgs:
    """Producer API, consumer VPC and the enabled patterns.

    consumer_account_id: an Input (the caller may pass the account of the credentials from
    `get_caller_identity` when producer and consumer are one account). allowed_vpce_ids: extra endpoints (other consumers)
    the API accepts besides the ones this stack creates.
    """

    producer_provider: pulumi.ProviderResource
    consumer_provider: pulumi.ProviderResource
    region: str
    consumer_account_id: pulumi.Input[str]
    patterns: frozenset[str] = frozenset({PATTERN_FRONT_DOOR, PATTERN_VPC_LAMBDA})
    allowed_vpce_ids: tuple[str, ...] = ()
    consumer_cidr: str = "10.10.0.0/16"
    proxy_cidr: str = "10.11.0.0/16"
    private_dns_enabled: bool = True
    stage_name: str = "dev"
    throttling_rate_limit: float = 100.0
    throttling_burst_limit: int = 50
    front_door_authorization: str = "AWS_IAM"
    front_door_throttling_rate_limit: float = 50.0
    front_door_throttling_burst_limit: int = 25
    mtls_server_certificate_arn: str = ""
    mtls_server_key_arn: str = ""
    mtls_client_ca_arn: str = ""
    mtls_client_cidrs: tuple[str, ...] = ()
    mtls_kms_key_arns: tuple[str, ...] = ()
    mtls_desired_count: int = 2
    mtls_nat_gateways: int = 1
    log_retention_days: int = 30
    manage_api_gateway_logging: bool = True
    separate_consumer_account: bool = False  # consumer_provider is another account

    def __post_init__(self) -> None:
        unknown = set(self.patterns) - set(PATTERNS)
        if unknown:
            raise ValueError(f"patterns {sorted(unknown)}: expected some of {PATTERNS}")
        if PATTERN_MTLS_PROXY in self.patterns:
            missing = [n for n in ("mtls_server_certificate_arn", "mtls_server_key_arn", "mtls_client_ca_arn")
                       if not getattr(self, n)]
            if missing:
                raise ValueError(f"the mtls-proxy pattern needs {', '.join(missing)}")
        if not self.patterns and not self.allowed_vpce_ids:
            raise ValueError("with no pattern, allowed_vpce_ids must name the endpoints that may call the API")


class CrossAccountPrivateApi(pulumi.ComponentResource):
    """Children: `consumer`, `proxy_network` (mTLS), `api`, `front_door`, `caller`, `mtls_proxy`,
    `mtls_client_endpoint`, `logging` (per account)."""

    def __init__(self, name: str, args: CrossAccountPrivateApiArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:CrossAccountPrivateApi", name, None, opts)
        parent = pulumi.ResourceOptions(parent=self)
        patterns = args.patterns
        self.logging: dict[str, ApiGatewayLogging] = {}
        if args.manage_api_gateway_logging:
            self.logging["producer"] = ApiGatewayLogging(
                f"{name}-apigw-logging", ApiGatewayLoggingArgs(args.producer_provider, args.region), opts=parent)
            if PATTERN_FRONT_DOOR in patterns and args.separate_consumer_account:
                self.logging["consumer"] = ApiGatewayLogging(
                    f"{name}-consumer-apigw-logging", ApiGatewayLoggingArgs(args.consumer_provider, args.region),
                    opts=parent)

        # The endpoints name the API in their policies and the API names the endpoints in its own:
        # declare the endpoints with the API's ARN still to come, and resolve it once the API exists.
        api_arn, resolve_api_arn = pulumi.deferred_output()
        needs_consumer_vpc = bool(patterns & {PATTERN_FRONT_DOOR, PATTERN_VPC_LAMBDA, PATTERN_MTLS_PROXY})
        self.consumer = PrivateApiConsumer(f"{name}-consumer", PrivateApiConsumerArgs(
            provider=args.consumer_provider, region=args.region, cidr_block=args.consumer_cidr,
            api_execution_arns=[api_arn], private_dns_enabled=args.private_dns_enabled),
            opts=parent) if needs_consumer_vpc else None
        self.proxy_network = PrivateApiConsumer(f"{name}-proxy", PrivateApiConsumerArgs(
            provider=args.producer_provider, region=args.region, cidr_block=args.proxy_cidr,
            api_execution_arns=[api_arn], private_dns_enabled=False,
            public_subnets=True, nat_gateways=args.mtls_nat_gateways),
            opts=parent) if PATTERN_MTLS_PROXY in patterns else None

        # The consumer endpoint carries patterns 1 and 2; the proxy's endpoint carries pattern 3.
        stack_endpoints = []
        if self.consumer is not None and patterns & {PATTERN_FRONT_DOOR, PATTERN_VPC_LAMBDA}:
            stack_endpoints.append(self.consumer.endpoint.id)
        if self.proxy_network is not None:
            stack_endpoints.append(self.proxy_network.endpoint.id)
        producer_logging = [self.logging["producer"]] if "producer" in self.logging else []
        self.api = PrivateApi(f"{name}-api", PrivateApiArgs(
            provider=args.producer_provider, region=args.region,
            allowed_vpce_ids=[*args.allowed_vpce_ids, *stack_endpoints],
            stage_name=args.stage_name, throttling_rate_limit=args.throttling_rate_limit,
            throttling_burst_limit=args.throttling_burst_limit, log_retention_days=args.log_retention_days,
            depends_on=producer_logging), opts=parent)
        resolve_api_arn(self.api.execution_arn)

        self.front_door = self.caller = self.mtls_proxy = self.mtls_client_endpoint = None
        if PATTERN_FRONT_DOOR in patterns:
            consumer_logging = self.logging.get("consumer") or (None if args.separate_consumer_account
                                                                else self.logging.get("producer"))
            self.front_door = RegionalFrontDoor(f"{name}-front-door", RegionalFrontDoorArgs(
                provider=args.consumer_provider, region=args.region, consumer=self.consumer,
                api_id=self.api.api_id, api_stage_name=self.api.stage_name, stage_name="v1",
                authorization=args.front_door_authorization,
                throttling_rate_limit=args.front_door_throttling_rate_limit,
                throttling_burst_limit=args.front_door_throttling_burst_limit,
                log_retention_days=args.log_retention_days,
                depends_on=[consumer_logging] if consumer_logging else []), opts=parent)
        if PATTERN_VPC_LAMBDA in patterns:
            self.caller = VpcLambdaCaller(f"{name}-caller", VpcLambdaCallerArgs(
                provider=args.consumer_provider, consumer=self.consumer, api_id=self.api.api_id,
                api_stage_name=self.api.stage_name, log_retention_days=args.log_retention_days), opts=parent)
        if PATTERN_MTLS_PROXY in patterns:
            self.mtls_proxy = MtlsProxy(f"{name}-mtls", MtlsProxyArgs(
                provider=args.producer_provider, region=args.region, network=self.proxy_network,
                api_id=self.api.api_id, api_stage_name=args.stage_name,
                server_certificate_arn=args.mtls_server_certificate_arn, server_key_arn=args.mtls_server_key_arn,
                client_ca_arn=args.mtls_client_ca_arn, kms_key_arns=args.mtls_kms_key_arns,
                allowed_principal_account_ids=[args.consumer_account_id], desired_count=args.mtls_desired_count,
                log_retention_days=args.log_retention_days), opts=parent)
            self.mtls_client_endpoint = MtlsClientEndpoint(f"{name}-mtls-client", MtlsClientEndpointArgs(
                provider=args.consumer_provider, consumer=self.consumer, service_name=self.mtls_proxy.service_name,
                client_cidrs=args.mtls_client_cidrs or (args.consumer_cidr,)), opts=parent)

        outputs: dict[str, pulumi.Input] = {"apiId": self.api.api_id, "apiHost": self.api.host,
                                            "stageName": self.api.stage_name}
        if self.consumer is not None:
            outputs["consumerEndpointId"] = self.consumer.endpoint_id
        if self.front_door is not None:
            outputs["frontDoorUrl"] = self.front_door.url
        if self.caller is not None:
            outputs["callerFunction"] = self.caller.function.name
        if self.mtls_proxy is not None:
            outputs["mtlsEndpointService"] = self.mtls_proxy.service_name
            outputs["mtlsClientEndpointDns"] = self.mtls_client_endpoint.dns_name
        self.outputs = outputs
        self.register_outputs(outputs)
