"""Pattern 1: a Regional API -> VPC link -> NLB -> the consumer endpoint's ENIs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.private_api.consumer import PrivateApiConsumer, forward_to_endpoint
from components.private_api.shared import (
    check_log_retention,
    check_throttle,
    execute_api_host,
    logged_throttled_stage,
)
from components.providers import child_opts
from components.rules import formats
from components.rules import private_api as rules
from components.security_groups import allow


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
        if self.authorization not in rules.AUTHORIZATION:
            raise ValueError(f"authorization {self.authorization!r}: one of {rules.AUTHORIZATION}")
        if not formats.STAGE_NAME.match(self.stage_name):
            raise ValueError(f"stage_name {self.stage_name!r}: letters, digits, _ and - only")
        check_throttle(self.throttling_rate_limit, self.throttling_burst_limit)
        check_log_retention(self.log_retention_days)


class RegionalFrontDoor(pulumi.ComponentResource):
    """Children: `nlb`, `target_group`, `targets`, `listener`, `vpc_link`, `rest_api`, `stage`."""

    def __init__(self, name: str, args: RegionalFrontDoorArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:RegionalFrontDoor", name, None, opts)
        child = child_opts(self, args.provider)
        consumer = args.consumer
        network = consumer.network

        self.nlb_security_group = aws.ec2.SecurityGroup(
            f"{name}-nlb",
            vpc_id=network.vpc_id,
            description="Front-door NLB: to the execute-api endpoint only",
            opts=child,
        )
        allow(
            f"{name}-nlb-to-endpoint",
            f"{name}-endpoint-from-nlb",
            source_security_group_id=self.nlb_security_group.id,
            destination_security_group_id=consumer.endpoint_security_group.id,
            egress_description="HTTPS and /ping health checks to the execute-api endpoint",
            ingress_description="HTTPS from the front-door NLB",
            opts=child,
        )
        self.nlb = aws.lb.LoadBalancer(
            f"{name}-nlb",
            load_balancer_type="network",
            internal=True,
            subnets=network.private_subnet_ids,
            security_groups=[self.nlb_security_group.id],
            enable_cross_zone_load_balancing=True,
            # The VPC link reaches the NLB over PrivateLink; its traffic has no source to match.
            enforce_security_group_inbound_rules_on_private_link_traffic="off",
            opts=child,
        )
        self.target_group, self.targets, self.listener = forward_to_endpoint(
            name,
            listener_name=f"{name}-https",
            nlb=self.nlb,
            consumer=consumer,
            protocol="TCP",
            health_check_interval=30,
            opts=child,
        )
        self.vpc_link = aws.apigateway.VpcLink(
            f"{name}-link",
            target_arn=self.nlb.arn,
            description="Front door to the execute-api endpoint",
            opts=child_opts(self, args.provider, depends_on=[self.listener]),
        )

        self.rest_api = aws.apigateway.RestApi(
            name,
            description="Regional front door to private APIs in other accounts",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types="REGIONAL"),
            opts=child,
        )
        target = pulumi.Output.concat("https://", execute_api_host(args.api_id, args.region), "/", args.api_stage_name)
        proxy = aws.apigateway.Resource(
            f"{name}-proxy",
            rest_api=self.rest_api.id,
            parent_id=self.rest_api.root_resource_id,
            path_part="{proxy+}",
            opts=child,
        )
        self.methods = []
        self.integrations = []
        for label, resource_id, uri, params in (
            ("root", self.rest_api.root_resource_id, pulumi.Output.concat(target, "/"), None),
            ("proxy", proxy.id, pulumi.Output.concat(target, "/{proxy}"), {"method.request.path.proxy": True}),
        ):
            method = aws.apigateway.Method(
                f"{name}-{label}-any",
                rest_api=self.rest_api.id,
                resource_id=resource_id,
                http_method="ANY",
                authorization=args.authorization,
                request_parameters=params,
                opts=child,
            )
            # HTTP proxy over the VPC link: API Gateway sends Host and SNI from the URI, which is
            # how the endpoint picks the private API.
            self.integrations.append(
                aws.apigateway.Integration(
                    f"{name}-{label}-private-api",
                    rest_api=self.rest_api.id,
                    resource_id=resource_id,
                    http_method=method.http_method,
                    type="HTTP_PROXY",
                    integration_http_method="ANY",
                    uri=uri,
                    connection_type="VPC_LINK",
                    connection_id=self.vpc_link.id,
                    request_parameters={"integration.request.path.proxy": "method.request.path.proxy"}
                    if params
                    else None,
                    opts=child,
                )
            )
            self.methods.append(method)
        self.deployment = aws.apigateway.Deployment(
            f"{name}-deployment",
            rest_api=self.rest_api.id,
            triggers={f"integration{i}": integ.id for i, integ in enumerate(self.integrations)},
            opts=child_opts(self, provider=args.provider, depends_on=[*self.methods, *self.integrations]),
        )
        self.access_logs, self.stage, self.method_settings = logged_throttled_stage(
            self,
            name,
            provider=args.provider,
            rest_api=self.rest_api,
            deployment=self.deployment,
            stage_name=args.stage_name,
            log_retention_days=args.log_retention_days,
            throttling_rate_limit=args.throttling_rate_limit,
            throttling_burst_limit=args.throttling_burst_limit,
            depends_on=args.depends_on,
        )
        self.url = self.stage.invoke_url
        self.register_outputs({"url": self.url, "nlbArn": self.nlb.arn, "vpcLinkId": self.vpc_link.id})
