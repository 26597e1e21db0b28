"""A VPC building block: public and/or private subnets across AZs, optional NAT, VPC endpoints.

Plain ``aws.ec2`` resources rather than ``awsx.ec2.Vpc``: every subnet, route and endpoint is then a
resource the policy packs see (and price) in the offline preview as well as under the CLI, and the
NAT gateway count is an explicit, costed choice (default none).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.providers import child_opts

# Gateway endpoints cost nothing; interface endpoints are billed per AZ-hour.
GATEWAY_ENDPOINT_SERVICES = frozenset({"s3", "dynamodb"})


@dataclass(frozen=True)
class NetworkArgs:
    region: str  # the Region of the provider this network is created with
    cidr_block: str
    availability_zones: int = 2
    public_subnets: bool = False
    private_subnets: bool = True
    nat_gateways: int = 0  # 0, 1 (shared) or one per AZ
    subnet_prefix_length: int | None = None  # default: the VPC prefix + 4
    interface_endpoints: tuple[str, ...] = ()  # service names such as "execute-api", "secretsmanager"
    gateway_endpoints: tuple[str, ...] = ()  # "s3", "dynamodb"
    endpoint_private_dns: bool = True
    # AZs holding an interface endpoint's network interfaces (0: every AZ). Billed per AZ-hour
    # (https://aws.amazon.com/privatelink/pricing/); fewer AZs is cheaper, and the other AZs reach
    # the endpoint across zones until its zone fails.
    endpoint_availability_zones: int = 0
    endpoint_client_cidrs: tuple[str, ...] = ()  # who may reach the interface endpoints (default: the VPC)
    # The zones to use, in order (e.g. those offering an instance type); default: the Region's first ones.
    availability_zone_names: pulumi.Input[list[str]] | None = None

    def __post_init__(self):
        network = ipaddress.ip_network(self.cidr_block)  # raises ValueError on a malformed CIDR
        if not 16 <= network.prefixlen <= 28:
            raise ValueError(f"cidr_block must be between /16 and /28, got {self.cidr_block}")
        if not 1 <= self.availability_zones <= 6:
            raise ValueError(f"availability_zones must be between 1 and 6, got {self.availability_zones}")
        if not (self.public_subnets or self.private_subnets):
            raise ValueError("a network needs public or private subnets")
        if not 0 <= self.endpoint_availability_zones <= self.availability_zones:
            raise ValueError(
                f"endpoint_availability_zones must be 0 (all) to {self.availability_zones}, "
                f"got {self.endpoint_availability_zones}"
            )
        if self.nat_gateways not in (0, 1, self.availability_zones):
            raise ValueError(f"nat_gateways must be 0, 1 or one per AZ ({self.availability_zones})")
        if self.nat_gateways and not (self.public_subnets and self.private_subnets):
            raise ValueError("NAT gateways need both public and private subnets")
        unknown = set(self.gateway_endpoints) - GATEWAY_ENDPOINT_SERVICES
        if unknown:
            raise ValueError(
                f"gateway endpoints exist only for {sorted(GATEWAY_ENDPOINT_SERVICES)}, not {sorted(unknown)}"
            )
        if len(self.subnet_cidrs) < self.subnet_count:
            raise ValueError(f"{self.cidr_block} cannot hold {self.subnet_count} subnets of /{self.prefix_length}")

    @property
    def prefix_length(self) -> int:
        return self.subnet_prefix_length or min(ipaddress.ip_network(self.cidr_block).prefixlen + 4, 28)

    @property
    def subnet_count(self) -> int:
        return self.availability_zones * (int(self.public_subnets) + int(self.private_subnets))

    @property
    def subnet_cidrs(self) -> list[str]:
        network = ipaddress.ip_network(self.cidr_block)
        return [str(s) for _, s in zip(range(self.subnet_count), network.subnets(new_prefix=self.prefix_length))]


class Network(pulumi.ComponentResource):
    """Children: ``vpc``, ``public_subnets``, ``private_subnets``, ``nat_gateways``,
    ``endpoint_security_group`` and ``interface_endpoints`` / ``gateway_endpoints`` by service."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:network:Network", name, None, opts)
        child = child_opts(self)
        self.args = args

        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr_block,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": name},
            opts=child,
        )
        zone_names = (
            pulumi.Output.from_input(args.availability_zone_names)
            if args.availability_zone_names is not None
            else aws.get_availability_zones_output(
                state="available", opts=pulumi.InvokeOutputOptions(parent=self)
            ).names
        )
        cidrs = iter(args.subnet_cidrs)

        self.public_subnets: list[aws.ec2.Subnet] = []
        self.private_subnets: list[aws.ec2.Subnet] = []
        self.nat_gateways: list[aws.ec2.NatGateway] = []
        self.private_route_tables: list[aws.ec2.RouteTable] = []

        if args.public_subnets:
            self.internet_gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, opts=child)
            self.public_route_table = aws.ec2.RouteTable(
                f"{name}-public", vpc_id=self.vpc.id, tags={"Name": f"{name}-public"}, opts=child
            )
            aws.ec2.Route(
                f"{name}-public-default",
                route_table_id=self.public_route_table.id,
                destination_cidr_block="0.0.0.0/0",
                gateway_id=self.internet_gateway.id,
                opts=child,
            )
            for index in range(args.availability_zones):
                subnet = aws.ec2.Subnet(
                    f"{name}-public-{index}",
                    vpc_id=self.vpc.id,
                    cidr_block=next(cidrs),
                    availability_zone=zone_names[index],
                    tags={"Name": f"{name}-public-{index}", "Tier": "public"},
                    opts=child,
                )
                aws.ec2.RouteTableAssociation(
                    f"{name}-public-{index}", subnet_id=subnet.id, route_table_id=self.public_route_table.id, opts=child
                )
                self.public_subnets.append(subnet)

        if args.private_subnets:
            for index in range(args.nat_gateways):
                eip = aws.ec2.Eip(f"{name}-nat-{index}", domain="vpc", opts=child)
                self.nat_gateways.append(
                    aws.ec2.NatGateway(
                        f"{name}-nat-{index}",
                        allocation_id=eip.id,
                        subnet_id=self.public_subnets[index].id,
                        tags={"Name": f"{name}-nat-{index}"},
                        opts=child,
                    )
                )
            # One route table per NAT gateway (AZ-local egress); a single one without NAT.
            for index in range(max(args.nat_gateways, 1)):
                table = aws.ec2.RouteTable(
                    f"{name}-private-{index}", vpc_id=self.vpc.id, tags={"Name": f"{name}-private-{index}"}, opts=child
                )
                if args.nat_gateways:
                    aws.ec2.Route(
                        f"{name}-private-{index}-default",
                        route_table_id=table.id,
                        destination_cidr_block="0.0.0.0/0",
                        nat_gateway_id=self.nat_gateways[index].id,
                        opts=child,
                    )
                self.private_route_tables.append(table)
            for index in range(args.availability_zones):
                subnet = aws.ec2.Subnet(
                    f"{name}-private-{index}",
                    vpc_id=self.vpc.id,
                    cidr_block=next(cidrs),
                    availability_zone=zone_names[index],
                    tags={"Name": f"{name}-private-{index}", "Tier": "private"},
                    opts=child,
                )
                table = self.private_route_tables[index % len(self.private_route_tables)]
                aws.ec2.RouteTableAssociation(
                    f"{name}-private-{index}", subnet_id=subnet.id, route_table_id=table.id, opts=child
                )
                self.private_subnets.append(subnet)

        endpoint_subnets = self.private_subnets or self.public_subnets
        endpoint_subnets = endpoint_subnets[: args.endpoint_availability_zones or None]
        self.interface_endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        self.endpoint_security_group: aws.ec2.SecurityGroup | None = None
        if args.interface_endpoints:
            self.endpoint_security_group = aws.ec2.SecurityGroup(
                f"{name}-endpoints", vpc_id=self.vpc.id, description=f"HTTPS to the VPC endpoints of {name}", opts=child
            )
            for index, cidr in enumerate(args.endpoint_client_cidrs or (args.cidr_block,)):
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-endpoints-https-{index}",
                    security_group_id=self.endpoint_security_group.id,
                    ip_protocol="tcp",
                    from_port=443,
                    to_port=443,
                    cidr_ipv4=cidr,
                    description="HTTPS from clients of the VPC endpoints",
                    opts=child,
                )
            for service in args.interface_endpoints:
                self.interface_endpoints[service] = aws.ec2.VpcEndpoint(
                    f"{name}-{service}",
                    vpc_id=self.vpc.id,
                    vpc_endpoint_type="Interface",
                    service_name=f"com.amazonaws.{args.region}.{service}",
                    private_dns_enabled=args.endpoint_private_dns,
                    subnet_ids=[s.id for s in endpoint_subnets],
                    security_group_ids=[self.endpoint_security_group.id],
                    tags={"Name": f"{name}-{service}"},
                    opts=child,
                )

        route_tables = self.private_route_tables or ([self.public_route_table] if args.public_subnets else [])
        self.gateway_endpoints: dict[str, aws.ec2.VpcEndpoint] = {
            service: aws.ec2.VpcEndpoint(
                f"{name}-{service}",
                vpc_id=self.vpc.id,
                vpc_endpoint_type="Gateway",
                service_name=f"com.amazonaws.{args.region}.{service}",
                route_table_ids=[t.id for t in route_tables],
                tags={"Name": f"{name}-{service}"},
                opts=child,
            )
            for service in args.gateway_endpoints
        }

        self.vpc_id = self.vpc.id
        self.private_subnet_ids = [s.id for s in self.private_subnets]
        self.public_subnet_ids = [s.id for s in self.public_subnets]
        self.register_outputs(
            {
                "vpcId": self.vpc.id,
                "privateSubnetIds": self.private_subnet_ids,
                "publicSubnetIds": self.public_subnet_ids,
            }
        )
