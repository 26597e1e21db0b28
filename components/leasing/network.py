"""The VPC of each Region (private subnets, interface endpoints, no NAT gateway), the peering between the
two, the cross-Region events path and the security groups of the functions, the proxy and Aurora."""

from __future__ import annotations

import pulumi_aws as aws

from components import security_groups
from components.leasing.base import LeasingSite, PlatformBase
from components.leasing.constants import PORT
from components.network import Network, NetworkArgs


class NetworkPart(PlatformBase):
    """Network and security groups of each Region."""

    def _interface_services(self, site: LeasingSite) -> tuple[str, ...]:
        """The AWS APIs the VPC functions call (IAM auth tokens for RDS are signed locally and need none:
        https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html)."""
        services = ["events"]  # the outbox relay's PutEvents
        if self.args.search_builder is not None:
            services.append("sqs")  # the search indexer parks unindexable records in its failure queue
        if site.is_primary and (not self.args.rds_proxy or self.args.master_secret_rotation_days):
            # The migrations read the master password (no proxy holds it); the rotation function
            # rotates the secret, which lives in the primary Region.
            services.append("secretsmanager")
        return tuple(services)

    def _network(self, site: LeasingSite) -> None:
        # Interface endpoints rather than a NAT gateway: one endpoint in one AZ costs 7.30 USD a month,
        # a NAT gateway 32.85 plus its public IPv4 address (https://aws.amazon.com/privatelink/pricing/,
        # https://aws.amazon.com/vpc/pricing/). The other Region's relay reaches this Region's events
        # endpoint over the peering (``_cross_region_events``), so the endpoints admit both VPCs.
        site.network = Network(
            self._n(site, "net"),
            NetworkArgs(
                region=site.region,
                cidr_block=site.cidr,
                availability_zones=self.args.availability_zones,
                interface_endpoints=self._interface_services(site),
                endpoint_availability_zones=self.args.endpoint_availability_zones,
                endpoint_client_cidrs=tuple(s.cidr for s in self.sites.values()) if self.args.multi_region else (),
            ),
            opts=self._opts(site),
        )

    def _cross_region_events(self) -> None:
        """Each Region's relay puts every lease event to the other Region's bus too, from private subnets.
        EventBridge has no cross-Region interface endpoint (the cross-Region PrivateLink services:
        https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-cross-region-privatelink-support.html),
        so the relay uses the other Region's endpoint over the VPC peering: a private hosted zone named
        like the service's Regional DNS name, associated with this VPC, aliases the remote endpoint
        (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-dns-hostnames,
        https://docs.aws.amazon.com/whitepapers/latest/building-scalable-secure-multi-vpc-network-infrastructure/centralized-access-to-vpc-private-endpoints.html).
        0.50 USD a month per zone instead of a NAT gateway per Region."""
        for site in self.sites.values():
            other = self._other(site)
            endpoint = other.network.interface_endpoints["events"]
            name = f"events.{other.region}.amazonaws.com"
            zone = aws.route53.Zone(
                self._n(site, f"events-{other.region}-zone"),
                name=name,
                comment=f"{name} resolves to the {other.region} events endpoint over the peering",
                vpcs=[aws.route53.ZoneVpcArgs(vpc_id=site.network.vpc_id, vpc_region=site.region)],
                opts=self._opts(site),
            )
            dns = endpoint.dns_entries[0]
            aws.route53.Record(
                self._n(site, f"events-{other.region}"),
                zone_id=zone.zone_id,
                name=name,
                type="A",
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=dns.dns_name, zone_id=dns.hosted_zone_id, evaluate_target_health=True
                    )
                ],
                opts=self._opts(site),
            )

    def _peer_vpcs(self) -> None:
        primary, secondary = self.sites.values()
        self.peering = aws.ec2.VpcPeeringConnection(
            f"{self.name}-peering",
            vpc_id=primary.network.vpc_id,
            peer_vpc_id=secondary.network.vpc_id,
            peer_region=secondary.region,
            auto_accept=False,
            tags={"Name": f"{self.identifier}-{primary.region}-{secondary.region}"},
            opts=self._opts(primary),
        )
        self.peering_accepter = aws.ec2.VpcPeeringConnectionAccepter(
            f"{self.name}-peering-accepter",
            vpc_peering_connection_id=self.peering.id,
            auto_accept=True,
            opts=self._opts(secondary),
        )
        for site, other in ((primary, secondary), (secondary, primary)):
            for index, table in enumerate(site.network.private_route_tables):
                aws.ec2.Route(
                    self._n(site, f"to-{other.region}-{index}"),
                    route_table_id=table.id,
                    destination_cidr_block=other.cidr,
                    vpc_peering_connection_id=self.peering.id,
                    opts=self._opts(site, depends_on=[self.peering_accepter]),
                )

    def _security_groups(self, site: LeasingSite) -> None:
        vpc, rule = site.network.vpc_id, self._opts(site)
        via = "RDS Proxy" if self.args.rds_proxy else "Aurora"
        site.function_sg = aws.ec2.SecurityGroup(
            self._n(site, "functions"),
            vpc_id=vpc,
            description=f"Leasing functions: out to {via} and the VPC endpoints only",
            opts=self._opts(site),
        )
        site.database_sg = aws.ec2.SecurityGroup(
            self._n(site, "database"),
            vpc_id=vpc,
            opts=self._opts(site),
            description="Aurora: in from RDS Proxy only"
            if self.args.rds_proxy
            else "Aurora: in from the leasing functions only",
        )
        security_groups.tcp_egress(
            self._n(site, "functions-to-endpoints"),
            security_group_id=site.function_sg.id,
            cidr=site.cidr,
            description="HTTPS to the VPC interface endpoints",
            opts=rule,
        )
        if not self.args.rds_proxy:
            security_groups.allow(
                self._n(site, "functions-to-database"),
                self._n(site, "database-from-functions"),
                source_security_group_id=site.function_sg.id,
                destination_security_group_id=site.database_sg.id,
                port=PORT,
                egress_description="PostgreSQL to Aurora",
                ingress_description="PostgreSQL from the leasing functions",
                opts=rule,
            )
            return
        site.proxy_sg = aws.ec2.SecurityGroup(
            self._n(site, "proxy"),
            vpc_id=vpc,
            description="RDS Proxy: in from the leasing functions, out to Aurora",
            opts=self._opts(site),
        )
        security_groups.allow(
            self._n(site, "functions-to-proxy"),
            self._n(site, "proxy-from-functions"),
            source_security_group_id=site.function_sg.id,
            destination_security_group_id=site.proxy_sg.id,
            port=PORT,
            egress_description="PostgreSQL to RDS Proxy in this Region",
            ingress_description="PostgreSQL from the leasing functions",
            opts=rule,
        )
        security_groups.allow(
            self._n(site, "proxy-to-database"),
            self._n(site, "database-from-proxy"),
            source_security_group_id=site.proxy_sg.id,
            destination_security_group_id=site.database_sg.id,
            port=PORT,
            egress_description="PostgreSQL to Aurora",
            ingress_description="PostgreSQL from RDS Proxy only",
            opts=rule,
        )
        other = self._other(site)
        if other is not None:
            # Security groups cannot reference each other across Regions: the peer VPC's CIDR it is.
            security_groups.tcp_egress(
                self._n(site, "functions-to-peer-proxy"),
                security_group_id=site.function_sg.id,
                cidr=other.cidr,
                port=PORT,
                description=f"PostgreSQL to RDS Proxy in {other.region} when it fronts the writer",
                opts=rule,
            )
            security_groups.tcp_ingress(
                self._n(site, "proxy-from-peer"),
                security_group_id=site.proxy_sg.id,
                cidr=other.cidr,
                port=PORT,
                description=f"PostgreSQL from the leasing functions in {other.region}",
                opts=rule,
            )
            security_groups.tcp_egress(
                self._n(site, "functions-to-peer-endpoints"),
                security_group_id=site.function_sg.id,
                cidr=other.cidr,
                description=f"HTTPS to the {other.region} events endpoint (the relay puts to that Region's bus)",
                opts=rule,
            )
