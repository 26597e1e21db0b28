"""Consumer: a VPC with an execute-api interface endpoint, and IP targets on its ENIs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.network import Network, NetworkArgs
from components.private_api.shared import HTTPS, PING_PATH, endpoint_policy, execute_api_host
from components.providers import child_opts
from components.security_groups import tcp_ingress


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
        if self.availability_zones < 1:
            raise ValueError("availability_zones: at least 1 (the endpoint has one ENI per AZ; 2 for redundancy)")
        self.network_args()  # validates the CIDR, AZ and NAT settings

    def network_args(self) -> NetworkArgs:
        return NetworkArgs(
            region=self.region,
            cidr_block=self.cidr_block,
            availability_zones=self.availability_zones,
            public_subnets=self.public_subnets,
            private_subnets=True,
            nat_gateways=self.nat_gateways,
            subnet_prefix_length=self.subnet_prefix_length,
        )


class PrivateApiConsumer(pulumi.ComponentResource):
    """Children: `network`, `endpoint_security_group`, `endpoint`. Outputs: `endpoint_id`,
    `endpoint_dns_name` (the Regional DNS name of the endpoint)."""

    def __init__(self, name: str, args: PrivateApiConsumerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:PrivateApiConsumer", name, None, opts)
        child = child_opts(self, args.provider)
        self.args = args
        self.provider = args.provider
        self.network = Network(f"{name}-net", args.network_args(), opts=child)
        self.endpoint_security_group = aws.ec2.SecurityGroup(
            f"{name}-execute-api",
            vpc_id=self.network.vpc_id,
            description="HTTPS to the execute-api endpoint from allowed sources only",
            opts=child,
        )
        self.client_rules = [
            tcp_ingress(
                f"{name}-execute-api-client-{i}",
                security_group_id=self.endpoint_security_group.id,
                cidr=cidr,
                description="HTTPS from an allowed client network",
                opts=child,
            )
            for i, cidr in enumerate(args.client_cidrs)
        ]
        self.endpoint = aws.ec2.VpcEndpoint(
            f"{name}-execute-api",
            vpc_id=self.network.vpc_id,
            vpc_endpoint_type="Interface",
            service_name=f"com.amazonaws.{args.region}.execute-api",
            private_dns_enabled=args.private_dns_enabled,
            subnet_ids=self.network.private_subnet_ids,
            security_group_ids=[self.endpoint_security_group.id],
            policy=endpoint_policy(args.api_execution_arns),
            tags={"Name": f"{name}-execute-api"},
            opts=child,
        )
        self.endpoint_id = self.endpoint.id
        self.endpoint_dns_name = self.endpoint.dns_entries.apply(lambda entries: entries[0].dns_name)
        self.register_outputs(
            {"vpcId": self.network.vpc_id, "endpointId": self.endpoint.id, "endpointDnsName": self.endpoint_dns_name}
        )

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


def endpoint_ip_targets(
    name: str,
    endpoint: aws.ec2.VpcEndpoint,
    count: int,
    target_group_arn: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> list[aws.lb.TargetGroupAttachment]:
    """One IP target per endpoint ENI (one ENI per subnet, so `count` is known up front and the
    attachments are created outside any `apply`)."""
    attachments = []
    invoke_opts = pulumi.InvokeOutputOptions(parent=opts.parent, provider=opts.provider)
    for index in range(count):
        eni = aws.ec2.get_network_interface_output(
            id=endpoint.network_interface_ids.apply(lambda ids, i=index: sorted(ids)[i]), opts=invoke_opts
        )
        attachments.append(
            aws.lb.TargetGroupAttachment(
                f"{name}-{index}", target_group_arn=target_group_arn, target_id=eni.private_ip, port=HTTPS, opts=opts
            )
        )
    return attachments


def forward_to_endpoint(
    name: str,
    *,
    listener_name: str,
    nlb: aws.lb.LoadBalancer,
    consumer: PrivateApiConsumer,
    protocol: str,
    health_check_interval: int,
    opts: pulumi.ResourceOptions,
    health_check_timeout: int | None = None,
    certificate_arn: pulumi.Input[str] | None = None,
    ssl_policy: str | None = None,
) -> tuple[aws.lb.TargetGroup, list[aws.lb.TargetGroupAttachment], aws.lb.Listener]:
    """NLB -> IP targets on the consumer endpoint's ENIs -> a listener forwarding to them, health-checked
    on API Gateway's reserved /ping (TCP passes TLS through; TLS terminates with ``certificate_arn``)."""
    target_group = aws.lb.TargetGroup(
        f"{name}-endpoint",
        target_type="ip",
        port=HTTPS,
        protocol=protocol,
        vpc_id=consumer.network.vpc_id,
        health_check=aws.lb.TargetGroupHealthCheckArgs(
            enabled=True,
            protocol="HTTPS",
            path=PING_PATH,
            port=str(HTTPS),
            matcher="200",
            interval=health_check_interval,
            timeout=health_check_timeout,
            healthy_threshold=3,
            unhealthy_threshold=3,
        ),
        opts=opts,
    )
    targets = endpoint_ip_targets(
        f"{name}-endpoint-ip", consumer.endpoint, consumer.args.availability_zones, target_group.arn, opts
    )
    listener = aws.lb.Listener(
        listener_name,
        load_balancer_arn=nlb.arn,
        port=HTTPS,
        protocol=protocol,
        certificate_arn=certificate_arn,
        ssl_policy=ssl_policy,
        default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)],
        opts=opts,
    )
    return target_group, targets, listener
