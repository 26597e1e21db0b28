"""The whole architecture, wired in dependency order."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.lambda_function import LambdaPackaging
from components.private_api.account_logging import ApiGatewayLogging, ApiGatewayLoggingArgs
from components.private_api.consumer import PrivateApiConsumer, PrivateApiConsumerArgs
from components.private_api.front_door import RegionalFrontDoor, RegionalFrontDoorArgs
from components.private_api.mtls import MtlsClientEndpoint, MtlsClientEndpointArgs, MtlsProxy, MtlsProxyArgs
from components.private_api.producer import PrivateApi, PrivateApiArgs
from components.private_api.vpc_lambda import VpcLambdaCaller, VpcLambdaCallerArgs
from components.providers import child_opts
from components.rules import private_api as rules
from components.rules.private_api import PATTERN_FRONT_DOOR, PATTERN_MTLS_PROXY, PATTERN_VPC_LAMBDA, PATTERNS


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
    consumer_availability_zones: int = 2  # of the consumer VPC and its execute-api endpoint
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
    lambda_packaging: LambdaPackaging = LambdaPackaging()  # CODE_ONLY under the offline preview and tests

    def __post_init__(self) -> None:
        unknown = set(self.patterns) - set(PATTERNS)
        if unknown:
            raise ValueError(f"patterns {sorted(unknown)}: expected some of {PATTERNS}")
        missing = rules.missing_mtls_material(
            self.patterns,
            {
                name: getattr(self, name)
                for name in ("mtls_server_certificate_arn", "mtls_server_key_arn", "mtls_client_ca_arn")
            },
        )
        if missing:
            raise ValueError(f"the mtls-proxy pattern needs {', '.join(missing)}")
        nothing = rules.nothing_to_call_problem(self.patterns, self.allowed_vpce_ids)
        if nothing:
            raise ValueError(f"patterns and allowed_vpce_ids: expected {nothing}")


class CrossAccountPrivateApi(pulumi.ComponentResource):
    """Children: `consumer`, `proxy_network` (mTLS), `api`, `front_door`, `caller`, `mtls_proxy`,
    `mtls_client_endpoint`, `logging` (per account)."""

    def __init__(self, name: str, args: CrossAccountPrivateApiArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:CrossAccountPrivateApi", name, None, opts)
        parent = child_opts(self)
        patterns = args.patterns
        self.logging: dict[str, ApiGatewayLogging] = {}
        if args.manage_api_gateway_logging:
            self.logging["producer"] = ApiGatewayLogging(
                f"{name}-apigw-logging", ApiGatewayLoggingArgs(args.producer_provider, args.region), opts=parent
            )
            if PATTERN_FRONT_DOOR in patterns and args.separate_consumer_account:
                self.logging["consumer"] = ApiGatewayLogging(
                    f"{name}-consumer-apigw-logging",
                    ApiGatewayLoggingArgs(args.consumer_provider, args.region),
                    opts=parent,
                )

        # The endpoints name the API in their policies and the API names the endpoints in its own:
        # declare the endpoints with the API's ARN still to come, and resolve it once the API exists.
        api_arn, resolve_api_arn = pulumi.deferred_output()
        needs_consumer_vpc = bool(patterns & {PATTERN_FRONT_DOOR, PATTERN_VPC_LAMBDA, PATTERN_MTLS_PROXY})
        self.consumer = (
            PrivateApiConsumer(
                f"{name}-consumer",
                PrivateApiConsumerArgs(
                    provider=args.consumer_provider,
                    region=args.region,
                    cidr_block=args.consumer_cidr,
                    api_execution_arns=[api_arn],
                    private_dns_enabled=args.private_dns_enabled,
                    availability_zones=args.consumer_availability_zones,
                ),
                opts=parent,
            )
            if needs_consumer_vpc
            else None
        )
        self.proxy_network = (
            PrivateApiConsumer(
                f"{name}-proxy",
                PrivateApiConsumerArgs(
                    provider=args.producer_provider,
                    region=args.region,
                    cidr_block=args.proxy_cidr,
                    api_execution_arns=[api_arn],
                    private_dns_enabled=False,
                    public_subnets=True,
                    nat_gateways=args.mtls_nat_gateways,
                ),
                opts=parent,
            )
            if PATTERN_MTLS_PROXY in patterns
            else None
        )

        # The consumer endpoint carries patterns 1 and 2; the proxy's endpoint carries pattern 3.
        stack_endpoints = []
        if self.consumer is not None and patterns & {PATTERN_FRONT_DOOR, PATTERN_VPC_LAMBDA}:
            stack_endpoints.append(self.consumer.endpoint.id)
        if self.proxy_network is not None:
            stack_endpoints.append(self.proxy_network.endpoint.id)
        producer_logging = [self.logging["producer"]] if "producer" in self.logging else []
        self.api = PrivateApi(
            f"{name}-api",
            PrivateApiArgs(
                provider=args.producer_provider,
                region=args.region,
                allowed_vpce_ids=[*args.allowed_vpce_ids, *stack_endpoints],
                stage_name=args.stage_name,
                throttling_rate_limit=args.throttling_rate_limit,
                throttling_burst_limit=args.throttling_burst_limit,
                log_retention_days=args.log_retention_days,
                depends_on=producer_logging,
                lambda_packaging=args.lambda_packaging,
            ),
            opts=parent,
        )
        resolve_api_arn(self.api.execution_arn)

        self.front_door = self.caller = self.mtls_proxy = self.mtls_client_endpoint = None
        if PATTERN_FRONT_DOOR in patterns:
            consumer_logging = self.logging.get("consumer") or (
                None if args.separate_consumer_account else self.logging.get("producer")
            )
            self.front_door = RegionalFrontDoor(
                f"{name}-front-door",
                RegionalFrontDoorArgs(
                    provider=args.consumer_provider,
                    region=args.region,
                    consumer=self.consumer,
                    api_id=self.api.api_id,
                    api_stage_name=self.api.stage_name,
                    stage_name="v1",
                    authorization=args.front_door_authorization,
                    throttling_rate_limit=args.front_door_throttling_rate_limit,
                    throttling_burst_limit=args.front_door_throttling_burst_limit,
                    log_retention_days=args.log_retention_days,
                    depends_on=[consumer_logging] if consumer_logging else [],
                ),
                opts=parent,
            )
        if PATTERN_VPC_LAMBDA in patterns:
            self.caller = VpcLambdaCaller(
                f"{name}-caller",
                VpcLambdaCallerArgs(
                    provider=args.consumer_provider,
                    consumer=self.consumer,
                    api_id=self.api.api_id,
                    api_stage_name=self.api.stage_name,
                    log_retention_days=args.log_retention_days,
                    lambda_packaging=args.lambda_packaging,
                ),
                opts=parent,
            )
        if PATTERN_MTLS_PROXY in patterns:
            self.mtls_proxy = MtlsProxy(
                f"{name}-mtls",
                MtlsProxyArgs(
                    provider=args.producer_provider,
                    region=args.region,
                    network=self.proxy_network,
                    api_id=self.api.api_id,
                    api_stage_name=args.stage_name,
                    server_certificate_arn=args.mtls_server_certificate_arn,
                    server_key_arn=args.mtls_server_key_arn,
                    client_ca_arn=args.mtls_client_ca_arn,
                    kms_key_arns=args.mtls_kms_key_arns,
                    allowed_principal_account_ids=[args.consumer_account_id],
                    desired_count=args.mtls_desired_count,
                    log_retention_days=args.log_retention_days,
                ),
                opts=parent,
            )
            self.mtls_client_endpoint = MtlsClientEndpoint(
                f"{name}-mtls-client",
                MtlsClientEndpointArgs(
                    provider=args.consumer_provider,
                    consumer=self.consumer,
                    service_name=self.mtls_proxy.service_name,
                    client_cidrs=args.mtls_client_cidrs or (args.consumer_cidr,),
                ),
                opts=parent,
            )

        outputs: dict[str, pulumi.Input] = {
            "apiId": self.api.api_id,
            "apiHost": self.api.host,
            "stageName": self.api.stage_name,
        }
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
