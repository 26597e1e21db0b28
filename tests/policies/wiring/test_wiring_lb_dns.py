"""wiring-lb-targets and wiring-private-dns-reachable: the two-Region private API's shape, broken and
working."""

from wiring_helpers import R, arn, check, route, route_table, subnet, vpc

DNS = "wiring-private-dns-reachable"
LB = "wiring-lb-targets"


def nlb(name: str, vpc_id: str, subnet_id: str, region: str) -> R:
    return R(
        "aws:lb/loadBalancer:LoadBalancer",
        name,
        {
            "arn": arn("elasticloadbalancing", f"loadbalancer/net/{name}/1", region),
            "vpcId": vpc_id,
            "subnets": [subnet_id],
            "dnsName": f"{name}-1.elb.{region}.amazonaws.com",
        },
        region,
    )


def two_regions() -> list[R]:
    return [
        vpc("east", "vpc-e", "10.1.0.0/16"),
        subnet("east-a", "subnet-e", "vpc-e", "10.1.0.0/24", "us-east-1a"),
        *route_table("east-rt", "rtb-e", "vpc-e", ["subnet-e"]),
        vpc("west", "vpc-w", "10.2.0.0/16", "us-west-2"),
        subnet("west-a", "subnet-w", "vpc-w", "10.2.0.0/24", "us-west-2a", "us-west-2"),
        *route_table("west-rt", "rtb-w", "vpc-w", ["subnet-w"], "us-west-2"),
        nlb("east-nlb", "vpc-e", "subnet-e", "us-east-1"),
        nlb("west-nlb", "vpc-w", "subnet-w", "us-west-2"),
        R(
            "aws:route53/zone:Zone",
            "zone",
            {
                "zoneId": "Z1",
                "id": "Z1",
                "name": "internal.example.com",
                "vpcs": [{"vpcId": "vpc-e", "vpcRegion": "us-east-1"}, {"vpcId": "vpc-w", "vpcRegion": "us-west-2"}],
            },
        ),
        *[
            R(
                "aws:route53/record:Record",
                f"{region}-record",
                {
                    "zoneId": "Z1",
                    "name": "api.internal.example.com",
                    "type": "A",
                    "setIdentifier": region,
                    "latencyRoutingPolicies": [{"region": region}],
                    "aliases": [
                        {
                            "name": f"{side}-nlb-1.elb.{region}.amazonaws.com.",
                            "zoneId": "Z2",
                            "evaluateTargetHealth": True,
                        }
                    ],
                },
            )
            for side, region in (("east", "us-east-1"), ("west", "us-west-2"))
        ],
    ]


def test_latency_records_across_unconnected_vpcs_name_which_vpc_cannot_reach_which_record():
    outcome = check(DNS, two_regions())
    [east] = outcome.on("us-east-1-record")
    assert "VPC west (us-west-2)" in east and "set us-east-1" in east and "east-nlb" in east and "in VPC east" in east
    assert "transit gateway" in east
    assert outcome.on("us-west-2-record")


def peering(accepted: bool) -> list[R]:
    out = [
        R(
            "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
            "peer",
            {"id": "pcx-1", "vpcId": "vpc-e", "peerVpcId": "vpc-w", "autoAccept": False},
        ),
        route("to-west", "rtb-e", "10.2.0.0/16", vpcPeeringConnectionId="pcx-1"),
        route("to-east", "rtb-w", "10.1.0.0/16", "us-west-2", vpcPeeringConnectionId="pcx-1"),
    ]
    if accepted:
        out.append(
            R(
                "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter",
                "accept",
                {"vpcPeeringConnectionId": "pcx-1"},
                "us-west-2",
            )
        )
    return out


def test_an_accepted_peering_routed_both_ways_connects_them_and_a_pending_one_does_not():
    assert check(DNS, two_regions() + peering(accepted=True)).passed
    assert check(DNS, two_regions() + peering(accepted=False)).on("us-east-1-record")
    one_way = [r for r in two_regions() + peering(accepted=True) if r.name != "to-east"]
    assert check(DNS, one_way).on("us-east-1-record")


def test_peered_transit_gateways_attached_and_routed_both_ways_connect_them():
    tgw = [
        route("to-west", "rtb-e", "10.2.0.0/16", transitGatewayId="tgw-e"),
        route("to-east", "rtb-w", "10.1.0.0/16", "us-west-2", transitGatewayId="tgw-w"),
    ]
    attachments = [
        R(
            "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
            f"attach-{side}",
            {"vpcId": f"vpc-{side}", "transitGatewayId": f"tgw-{side}"},
        )
        for side in ("e", "w")
    ]
    peered = [
        R(
            "aws:ec2transitgateway/peeringAttachment:PeeringAttachment",
            "tgw-peer",
            {"id": "tgw-attach-p", "transitGatewayId": "tgw-e", "peerTransitGatewayId": "tgw-w"},
        ),
        R(
            "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter",
            "tgw-accept",
            {"transitGatewayAttachmentId": "tgw-attach-p"},
            "us-west-2",
        ),
    ]
    static = [
        R(
            "aws:ec2transitgateway/route:Route",
            f"tgw-to-{side}",
            {"destinationCidrBlock": cidr, "transitGatewayAttachmentId": "tgw-attach-p"},
            region,
        )
        for side, cidr, region in (("west", "10.2.0.0/16", "us-east-1"), ("east", "10.1.0.0/16", "us-west-2"))
    ]
    assert check(DNS, two_regions() + tgw + attachments).on("us-east-1-record")  # two gateways, not peered
    assert check(DNS, two_regions() + tgw + peered + static).on("us-east-1-record")  # VPCs not attached
    assert check(DNS, two_regions() + tgw + attachments + peered).on("us-east-1-record")  # no static routes
    assert check(DNS, two_regions() + tgw + attachments + peered[:1] + static).on("us-east-1-record")  # not accepted
    assert check(DNS, two_regions() + tgw + attachments + peered + static).passed


def test_a_single_vpc_zone_and_public_zones_pass():
    one_vpc = [r for r in two_regions() if r.name != "zone"] + [
        R(
            "aws:route53/zone:Zone",
            "zone",
            {"zoneId": "Z1", "id": "Z1", "vpcs": [{"vpcId": "vpc-e", "vpcRegion": "us-east-1"}]},
        )
    ]
    assert check(DNS, [r for r in one_vpc if r.name != "us-west-2-record"]).passed
    public = [r for r in two_regions() if r.name != "zone"] + [
        R("aws:route53/zone:Zone", "zone", {"zoneId": "Z1", "id": "Z1"})
    ]
    assert check(DNS, public).passed


def target_group(protocol: str = "TLS") -> R:
    return R(
        "aws:lb/targetGroup:TargetGroup",
        "tg",
        {
            "arn": arn("elasticloadbalancing", "targetgroup/tg/1"),
            "vpcId": "vpc-e",
            "targetType": "ip",
            "protocol": protocol,
            "port": 443,
        },
    )


def attachment(address: str, **extra) -> R:
    return R(
        "aws:lb/targetGroupAttachment:TargetGroupAttachment",
        f"ip-{address}",
        {"targetGroupArn": arn("elasticloadbalancing", "targetgroup/tg/1"), "targetId": address, "port": 443, **extra},
    )


def test_ip_targets_outside_the_vpc_cidr_fail_to_register_unless_private_with_zone_all():
    base = two_regions() + [target_group()]
    assert check(LB, base + [attachment("10.1.0.10")]).passed
    [message] = check(LB, base + [attachment("10.2.0.10")]).on("ip-10.2.0.10")
    assert "outside its VPC east (10.1.0.0/16)" in message and 'availability_zone="all"' in message
    assert check(LB, base + [attachment("10.2.0.10", availabilityZone="all")]).passed
    assert (
        "publicly routable" in check(LB, base + [attachment("54.1.2.3", availabilityZone="all")]).on("ip-54.1.2.3")[0]
    )


def test_listener_protocol_must_suit_the_target_group_and_share_its_vpc():
    listener = R(
        "aws:lb/listener:Listener",
        "tls",
        {
            "loadBalancerArn": arn("elasticloadbalancing", "loadbalancer/net/east-nlb/1"),
            "protocol": "TLS",
            "port": 443,
            "defaultActions": [{"type": "forward", "targetGroupArn": arn("elasticloadbalancing", "targetgroup/tg/1")}],
        },
    )
    assert check(LB, two_regions() + [target_group("TCP"), listener]).passed
    [message] = check(LB, two_regions() + [target_group("UDP"), listener]).on("tls")
    assert "Protocol::TLS->UDP" in message
    elsewhere = R("aws:lb/targetGroup:TargetGroup", "tg", {**target_group().props, "vpcId": "vpc-w"})
    assert "must be in the load balancer's VPC" in check(LB, two_regions() + [elsewhere, listener]).on("tls")[0]
