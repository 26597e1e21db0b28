"""wiring-vpc-compute-reaches-apis and wiring-endpoint-zones: each broken stack beside the twin that
works. The base is the search indexer's shape: a function in two private subnets of a VPC with no
NAT, calling sqs:SendMessage on a queue its code names."""

from dataclasses import replace

from wiring_helpers import (
    ACCOUNT,
    HTTPS_OUT,
    R,
    allow,
    arn,
    check,
    function,
    interface_endpoint,
    queue,
    role,
    route,
    route_table,
    security_group,
    subnet,
    vpc,
)

RULE = "wiring-vpc-compute-reaches-apis"
QUEUE_URL = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/failures"


def network(routes: list[dict] | None = None, egress: list[dict] | None = None) -> list[R]:
    return [
        vpc("net", "vpc-1", "10.0.0.0/16"),
        subnet("private-a", "subnet-a", "vpc-1", "10.0.0.0/24", "us-east-1a"),
        subnet("private-b", "subnet-b", "vpc-1", "10.0.1.0/24", "us-east-1b"),
        *route_table("private", "rtb-1", "vpc-1", ["subnet-a", "subnet-b"], routes=routes),
        security_group("fn-sg", "sg-fn", "vpc-1", egress=HTTPS_OUT if egress is None else egress),
    ]


def indexer(*statements: dict, env: dict | None = None, **extra) -> list[R]:
    statements = statements or (allow("sqs:SendMessage", arn("sqs", "failures")),)
    return [
        *role("indexer-role", allow(["logs:CreateLogStream", "logs:PutLogEvents"], "*"), *statements),
        queue("failures"),
        function(
            "indexer",
            "indexer-role",
            subnets=["subnet-a", "subnet-b"],
            groups=["sg-fn"],
            environment={"variables": env if env is not None else {"FAILURE_QUEUE_URL": QUEUE_URL}},
            **extra,
        ),
    ]


def sqs_endpoint(**extra) -> list[R]:
    ingress = [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "securityGroups": ["sg-fn"]}]
    return [
        security_group("endpoint-sg", "sg-ep", "vpc-1", ingress),
        interface_endpoint("sqs", "sqs", "vpc-1", ["subnet-a", "subnet-b"], ["sg-ep"], **extra),
    ]


def test_the_indexer_without_a_path_to_sqs_is_found_naming_both_ends_and_the_fix():
    outcome = check(RULE, network() + indexer())
    [message] = outcome.on("indexer")
    assert "Api::sqs@us-east-1" in message and "sqs:SendMessage" in message and arn("sqs", "failures") in message
    assert "private-a, private-b of VPC net" in message
    assert "com.amazonaws.us-east-1.sqs" in message and "NAT" in message


def test_an_sqs_interface_endpoint_with_private_dns_and_https_from_the_function_is_enough():
    assert check(RULE, network() + indexer() + sqs_endpoint()).passed


def test_a_nat_route_is_enough():
    routes = [{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"}]
    assert check(RULE, network(routes) + indexer()).passed


def test_a_nat_route_declared_as_a_route_resource_counts_too():
    assert check(RULE, network() + indexer() + [route("default", "rtb-1", "0.0.0.0/0", natGatewayId="nat-1")]).passed


def test_an_internet_gateway_route_does_not_help_a_function_but_does_a_public_instance():
    routes = [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}]
    [message] = check(RULE, network(routes) + indexer()).on("indexer")
    assert "never gets a public address" in message
    instance = [
        *role("box-role", allow("sqs:SendMessage", arn("sqs", "failures"))),
        R("aws:iam/instanceProfile:InstanceProfile", "box-profile", {"name": "box-profile", "role": "box-role-abc123"}),
        R(
            "aws:ec2/instance:Instance",
            "box",
            {
                "id": "i-1",
                "subnetId": "subnet-a",
                "iamInstanceProfile": "box-profile",
                "vpcSecurityGroupIds": ["sg-fn"],
                "associatePublicIpAddress": True,
            },
        ),
    ]
    assert check(RULE, network(routes) + instance).passed
    private = [
        *instance[:-1],
        R("aws:ec2/instance:Instance", "box", {**instance[-1].props, "associatePublicIpAddress": False}),
    ]
    assert check(RULE, network(routes) + private).on("box")


def test_an_endpoint_with_private_dns_off_is_not_used_by_the_sdk():
    [message] = check(RULE, network() + indexer() + sqs_endpoint(private_dns=False)).on("indexer")
    assert "private DNS off" in message


def test_an_endpoint_whose_security_group_does_not_admit_the_function_is_found():
    stack = (
        network()
        + indexer()
        + [
            security_group(
                "endpoint-sg",
                "sg-ep",
                "vpc-1",
                [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["192.168.0.0/16"]}],
            ),
            interface_endpoint("sqs", "sqs", "vpc-1", ["subnet-a", "subnet-b"], ["sg-ep"]),
        ]
    )
    [message] = check(RULE, stack).on("indexer")
    assert "does not admit HTTPS" in message and "sg-fn" in message
    # The VPC's CIDR as the source admits every subnet of it.
    stack[-2] = security_group(
        "endpoint-sg",
        "sg-ep",
        "vpc-1",
        [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/16"]}],
    )
    assert check(RULE, stack).passed


def test_an_endpoint_policy_that_does_not_allow_the_action_is_found():
    from wiring_helpers import policy

    narrow = policy({"Effect": "Allow", "Principal": "*", "Action": "sqs:ReceiveMessage", "Resource": "*"})
    [message] = check(RULE, network() + indexer() + sqs_endpoint(policy=narrow)).on("indexer")
    assert "endpoint policy" in message and "sqs:SendMessage" in message
    wide = policy(
        {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn("sqs", "failures")}
    )
    assert check(RULE, network() + indexer() + sqs_endpoint(policy=wide)).passed


def test_calls_lambda_makes_on_the_functions_behalf_need_no_route():
    mapping = R(
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "stream",
        {
            "functionName": arn("lambda", "function:indexer-fn"),
            "eventSourceArn": arn("kinesis", "stream/listings"),
            "destinationConfig": {"onFailure": {"destinationArn": arn("sqs", "failures")}},
        },
    )
    statements = (
        allow(
            ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream"],
            arn("kinesis", "stream/listings"),
        ),
        allow("sqs:SendMessage", arn("sqs", "failures")),
    )
    # The on-failure destination is sent by Lambda: no route needed while the code does not name the queue...
    assert check(RULE, network() + indexer(*statements, env={}) + [mapping]).passed
    # ...but the shipped indexer's code sends to it as well (FAILURE_QUEUE_URL), from the VPC.
    [message] = check(RULE, network() + indexer(*statements) + [mapping]).on("indexer")
    assert "sqs:SendMessage" in message and "kinesis" not in message


def test_iam_database_auth_is_no_api_call_and_a_gateway_endpoint_serves_s3():
    statements = (
        allow("rds-db:connect", f"arn:aws:rds-db:us-east-1:{ACCOUNT}:dbuser:prx-1/app"),
        allow("s3:GetObject", "arn:aws:s3:::drivers/*"),
    )
    [message] = check(RULE, network() + indexer(*statements)).on("indexer")
    assert "Api::s3@us-east-1" in message and "rds-db" not in message
    gateway = R(
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "s3",
        {
            "id": "vpce-s3",
            "vpcId": "vpc-1",
            "vpcEndpointType": "Gateway",
            "serviceName": "com.amazonaws.us-east-1.s3",
            "routeTableIds": ["rtb-1"],
        },
    )
    assert check(RULE, network() + indexer(*statements) + [gateway]).passed


def test_a_bus_in_another_region_is_not_served_by_the_vpcs_own_events_endpoint():
    local = allow("events:PutEvents", arn("events", "event-bus/leases"))
    remote = allow("events:PutEvents", arn("events", "event-bus/leases", "us-west-2"))
    ingress = [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "securityGroups": ["sg-fn"]}]
    endpoint = [
        security_group("endpoint-sg", "sg-ep", "vpc-1", ingress),
        interface_endpoint("events", "events", "vpc-1", ["subnet-a", "subnet-b"], ["sg-ep"]),
    ]
    assert check(RULE, network() + indexer(local, env={}) + endpoint).passed
    [message] = check(RULE, network() + indexer(local, remote, env={}) + endpoint).on("indexer")
    assert "Api::events@us-west-2" in message and "another Region" in message


def test_an_ecs_task_needs_a_path_for_its_execution_roles_image_pulls():
    task = [
        *role("exec", allow(["ecr:GetAuthorizationToken", "ecr:BatchGetImage"], "*")),
        R(
            "aws:ecs/taskDefinition:TaskDefinition",
            "proxy-task",
            {
                "arn": arn("ecs", "task-definition/proxy:1"),
                "executionRoleArn": "arn:aws:iam::111111111111:role/exec-abc123",
            },
        ),
        R(
            "aws:ecs/service:Service",
            "proxy",
            {
                "taskDefinition": arn("ecs", "task-definition/proxy:1"),
                "networkConfiguration": {"subnets": ["subnet-a"], "securityGroups": ["sg-fn"], "assignPublicIp": False},
            },
        ),
    ]
    [message] = check(RULE, network() + task).on("proxy")
    assert "Api::ecr@us-east-1" in message and "com.amazonaws.us-east-1.ecr.api" in message
    assert check(RULE, network([{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"}]) + task).passed


def test_endpoint_zones_is_advisory_and_names_the_missing_zone():
    endpoint = sqs_endpoint()
    endpoint[-1] = interface_endpoint("sqs", "sqs", "vpc-1", ["subnet-a"], ["sg-ep"])
    outcome = check("wiring-endpoint-zones", network() + indexer() + endpoint)
    [message] = outcome.on("sqs")
    assert "us-east-1b" in message
    assert check("wiring-endpoint-zones", network() + indexer() + sqs_endpoint()).passed
    assert check(RULE, network() + indexer() + endpoint).passed  # works meanwhile: not mandatory
    # An endpoint the compute does not call is none of its business.
    unused = [interface_endpoint("kms", "kms", "vpc-1", ["subnet-a"], ["sg-ep"])]
    assert check("wiring-endpoint-zones", network() + indexer() + sqs_endpoint() + unused).passed


def test_the_computes_security_groups_must_let_https_out_on_the_path():
    nat = [{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"}]
    # The AWS provider revokes EC2's default allow-all egress: a group with no egress rule lets nothing out.
    [message] = check(RULE, network(nat, egress=[]) + indexer()).on("indexer")
    assert "let no HTTPS (tcp/443) out" in message and "sg-fn" in message
    only_vpc = [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/16"]}]
    assert check(RULE, network(nat, egress=only_vpc) + indexer()).on("indexer")  # NAT needs public addresses
    assert check(RULE, network(egress=only_vpc) + indexer() + sqs_endpoint()).passed  # the endpoint is in the VPC
    [message] = check(RULE, network(egress=[]) + indexer() + sqs_endpoint()).on("indexer")
    assert "out to the endpoint sqs" in message
    to_endpoint_group = [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "securityGroups": ["sg-ep"]}]
    assert check(RULE, network(egress=to_endpoint_group) + indexer() + sqs_endpoint()).passed


# --- a call to another Region's API through a private zone and a peered VPC's endpoint ----------
# Prod's outbox relay: a function in us-east-1 puts to the us-west-2 bus. Its VPC is associated with a
# private zone events.us-west-2.amazonaws.com whose alias record answers the us-west-2 events endpoint,
# in a VPC peered with its own (components/leasing/network.py ``_cross_region_events``).

WEST = "us-west-2"
WEST_BUS = arn("events", "event-bus/leasing", WEST)
WEST_HOST = "events.us-west-2.amazonaws.com"
ENDPOINT_DNS = "vpce-0west-abc.events.us-west-2.vpce.amazonaws.com"
PEERING = {"vpcPeeringConnectionId": "pcx-1"}


def relay(
    egress_cidrs: tuple[str, ...] = ("10.0.0.0/16", "10.1.0.0/16"), region: str = WEST, hop: dict | None = None
) -> list[R]:
    """The us-east-1 side: the VPC (routing 10.1.0.0/16 over ``hop``, the peering by default) and a
    function putting to the bus of ``region``, its security group letting 443 out to ``egress_cidrs``."""
    egress = [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": list(egress_cidrs)}]
    return network([{"cidrBlock": "10.1.0.0/16", **(hop or PEERING)}], egress=egress) + [
        *role("relay-role", allow("events:PutEvents", arn("events", "event-bus/leasing", region))),
        function("relay", "relay-role", subnets=["subnet-a", "subnet-b"], groups=["sg-fn"]),
    ]


def west_endpoint(
    ingress: list[dict] | None = None, route_back: bool = True, region: str = WEST, hop: dict | None = None, **extra
) -> list[R]:
    """The other side, in ``region``: a VPC routing back to 10.0.0.0/16 over ``hop`` (when
    ``route_back``) and its events endpoint, whose security group admits 443 from the us-east-1 VPC's
    CIDR unless ``ingress`` says otherwise."""
    ingress = (
        ingress
        if ingress is not None
        else [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/16"]}]
    )
    back = [{"cidrBlock": "10.0.0.0/16", **(hop or PEERING)}] if route_back else []
    return [
        vpc("west", "vpc-2", "10.1.0.0/16", region),
        subnet("west-a", "subnet-w", "vpc-2", "10.1.0.0/24", f"{region}a", region),
        *route_table("west-private", "rtb-2", "vpc-2", ["subnet-w"], region, routes=back),
        replace(security_group("west-endpoint-sg", "sg-ep2", "vpc-2", ingress), region=region),
        interface_endpoint(
            "west-events",
            "events",
            "vpc-2",
            ["subnet-w"],
            ["sg-ep2"],
            region=region,
            dnsEntries=[{"dnsName": ENDPOINT_DNS, "hostedZoneId": "ZVPCE"}],
            **extra,
        ),
    ]


def peering(accepted: bool = True) -> list[R]:
    request = R(
        "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
        "peering",
        {"id": "pcx-1", "vpcId": "vpc-1", "peerVpcId": "vpc-2", "peerRegion": WEST, "autoAccept": False},
    )
    accepter = R(
        "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter",
        "peering-accepter",
        {"vpcPeeringConnectionId": "pcx-1", "autoAccept": True},
        WEST,
    )
    return [request, accepter] if accepted else [request]


def events_zone(
    vpcs: tuple[str, ...] = ("vpc-1",), answer: str | None = ENDPOINT_DNS, name: str = WEST_HOST
) -> list[R]:
    """The private zone in us-east-1 and (unless ``answer`` is None) its apex alias record."""
    zone = R(
        "aws:route53/zone:Zone",
        "events-west-zone",
        {"id": "Z1", "zoneId": "Z1", "name": name, "vpcs": [{"vpcId": v, "vpcRegion": "us-east-1"} for v in vpcs]},
    )
    record = R(
        "aws:route53/record:Record",
        "events-west",
        {
            "id": f"Z1_{name}_A",
            "zoneId": "Z1",
            "name": name,
            "type": "A",
            "aliases": [{"name": answer, "zoneId": "ZVPCE", "evaluateTargetHealth": True}],
        },
    )
    return [zone, record] if answer is not None else [zone]


def cross_region(**parts: list[R]) -> list[R]:
    """The working stack, with any of its parts (relay, endpoint, peering, zone) replaced."""
    return (
        parts.get("relay", relay())
        + parts.get("endpoint", west_endpoint())
        + parts.get("peering", peering())
        + parts.get("zone", events_zone())
    )


def test_another_regions_api_through_a_private_zone_and_a_peered_endpoint_is_reachable():
    assert check(RULE, cross_region()).passed


def test_without_the_zone_the_call_to_another_region_has_no_path():
    [message] = check(RULE, cross_region(zone=[])).on("relay")
    assert "Api::events@us-west-2" in message and "no interface endpoint com.amazonaws.us-west-2.events" in message


def test_a_zone_not_associated_with_the_computes_vpc_is_named():
    elsewhere = events_zone(vpcs=("vpc-9",))
    [message] = check(RULE, cross_region(zone=elsewhere)).on("relay")
    assert "not associated with VPC net" in message and WEST_HOST in message
    # An association declared as its own resource counts as one in the zone's vpcs.
    association = R(
        "aws:route53/zoneAssociation:ZoneAssociation",
        "events-west-vpc-1",
        {"zoneId": "Z1", "vpcId": "vpc-1", "vpcRegion": "us-east-1"},
    )
    assert check(RULE, cross_region(zone=elsewhere + [association])).passed


def test_a_zone_without_its_apex_record_is_named():
    [message] = check(RULE, cross_region(zone=events_zone(answer=None))).on("relay")
    assert f"has no record {WEST_HOST}" in message
    # A record of another name in the zone is no answer for the host either.
    misnamed = events_zone()
    misnamed[1] = replace(misnamed[1], props={**misnamed[1].props, "name": f"www.{WEST_HOST}"})
    [message] = check(RULE, cross_region(zone=misnamed)).on("relay")
    assert f"has no record {WEST_HOST}" in message


def test_a_record_answering_something_other_than_the_services_endpoint_is_named():
    [message] = check(RULE, cross_region(zone=events_zone(answer="vpce-0other.sqs.us-west-2.vpce.amazonaws.com"))).on(
        "relay"
    )
    assert "not an interface endpoint com.amazonaws.us-west-2.events" in message
    # The endpoint of another service, answering the events host name, does not serve events either.
    sqs = west_endpoint()
    sqs[-1] = replace(sqs[-1], props={**sqs[-1].props, "serviceName": "com.amazonaws.us-west-2.sqs"})
    [message] = check(RULE, cross_region(endpoint=sqs)).on("relay")
    assert "not an interface endpoint com.amazonaws.us-west-2.events" in message


def test_a_peering_not_accepted_or_not_routed_back_is_named():
    for broken in (
        cross_region(peering=peering(accepted=False)),
        cross_region(endpoint=west_endpoint(route_back=False)),
    ):
        [message] = check(RULE, broken).on("relay")
        assert "VPC net has no route to VPC west of the endpoint west-events" in message


def test_a_central_endpoint_vpc_on_a_transit_gateway_both_attach_to_serves_the_region_too():
    # The whitepaper's centralised endpoints: one VPC of the Region holds the endpoint, spokes reach it
    # through a transit gateway (one Region: a transit gateway's attachments are in its Region).
    tgw = {"transitGatewayId": "tgw-1"}
    east = "us-east-1"
    central = (
        relay(region=east, hop=tgw)
        + west_endpoint(region=east, hop=tgw)
        + events_zone(name="events.us-east-1.amazonaws.com")
    )
    [message] = check(RULE, central).on("relay")  # routed to the transit gateway, attached to neither VPC
    assert "Api::events@us-east-1" in message and "has no route to VPC west" in message
    attachments = [
        R("aws:ec2transitgateway/vpcAttachment:VpcAttachment", f"attach-{v}", {"vpcId": v, "transitGatewayId": "tgw-1"})
        for v in ("vpc-1", "vpc-2")
    ]
    assert check(RULE, central + attachments).passed
    assert check(RULE, central + attachments[:1]).on("relay")


def test_the_endpoints_security_group_must_admit_the_computes_cidr_as_groups_do_not_cross_regions():
    by_group = [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "securityGroups": ["sg-fn"]}]
    [message] = check(RULE, cross_region(endpoint=west_endpoint(ingress=by_group))).on("relay")
    assert "does not admit HTTPS (tcp/443) from relay's subnets" in message
    assert "do not work across Regions" in message
    other_vpc = [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.1.0.0/16"]}]
    assert check(RULE, cross_region(endpoint=west_endpoint(ingress=other_vpc))).on("relay")


def test_the_computes_security_group_must_let_https_out_to_the_peer_vpc():
    [message] = check(RULE, cross_region(relay=relay(egress_cidrs=("10.0.0.0/16",)))).on("relay")
    assert "let no HTTPS (tcp/443) out to the endpoint west-events" in message


def test_the_remote_endpoints_policy_must_allow_the_calls():
    from wiring_helpers import policy

    narrow = policy({"Effect": "Allow", "Principal": "*", "Action": "events:DescribeEventBus", "Resource": "*"})
    [message] = check(RULE, cross_region(endpoint=west_endpoint(policy=narrow))).on("relay")
    assert "endpoint policy of west-events does not allow events:PutEvents" in message
    wide = policy({"Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": WEST_BUS})
    assert check(RULE, cross_region(endpoint=west_endpoint(policy=wide))).passed


def test_the_cross_region_twins_over_the_analyzer_protocol():
    from wiring_helpers import analyze_stack

    broken = analyze_stack(cross_region(peering=peering(accepted=False))).diagnostics
    [diagnostic] = [d for d in broken if d.policyName == RULE]
    assert diagnostic.urn.endswith("::relay") and "has no route to VPC west" in diagnostic.message
    assert not [d for d in analyze_stack(cross_region()).diagnostics if d.policyName == RULE]


def test_a_zone_record_not_known_yet_is_undecided_not_passed():
    from wiring_helpers import UNKNOWN

    pending = events_zone(answer=UNKNOWN)
    outcome = check(RULE, cross_region(zone=pending))
    assert not outcome.findings and "the alias target" in (outcome.undecided or "")
