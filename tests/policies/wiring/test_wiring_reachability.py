"""wiring-vpc-compute-reaches-apis and wiring-endpoint-zones: each broken stack beside the twin that
works. The base is the search indexer's shape: a function in two private subnets of a VPC with no
NAT, calling sqs:SendMessage on a queue its code names."""

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
    return [vpc("net", "vpc-1", "10.0.0.0/16"),
            subnet("private-a", "subnet-a", "vpc-1", "10.0.0.0/24", "us-east-1a"),
            subnet("private-b", "subnet-b", "vpc-1", "10.0.1.0/24", "us-east-1b"),
            *route_table("private", "rtb-1", "vpc-1", ["subnet-a", "subnet-b"], routes=routes),
            security_group("fn-sg", "sg-fn", "vpc-1", egress=HTTPS_OUT if egress is None else egress)]


def indexer(*statements: dict, env: dict | None = None, **extra) -> list[R]:
    statements = statements or (allow("sqs:SendMessage", arn("sqs", "failures")),)
    return [*role("indexer-role", allow(["logs:CreateLogStream", "logs:PutLogEvents"], "*"), *statements),
            queue("failures"),
            function("indexer", "indexer-role", subnets=["subnet-a", "subnet-b"], groups=["sg-fn"],
                     environment={"variables": env if env is not None else {"FAILURE_QUEUE_URL": QUEUE_URL}}, **extra)]


def sqs_endpoint(**extra) -> list[R]:
    ingress = [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "securityGroups": ["sg-fn"]}]
    return [security_group("endpoint-sg", "sg-ep", "vpc-1", ingress),
            interface_endpoint("sqs", "sqs", "vpc-1", ["subnet-a", "subnet-b"], ["sg-ep"], **extra)]


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
    instance = [*role("box-role", allow("sqs:SendMessage", arn("sqs", "failures"))),
                R("aws:iam/instanceProfile:InstanceProfile", "box-profile", {"name": "box-profile", "role": "box-role-abc123"}),
                R("aws:ec2/instance:Instance", "box", {"id": "i-1", "subnetId": "subnet-a", "iamInstanceProfile": "box-profile",
                                                       "vpcSecurityGroupIds": ["sg-fn"], "associatePublicIpAddress": True})]
    assert check(RULE, network(routes) + instance).passed
    private = [*instance[:-1], R("aws:ec2/instance:Instance", "box", {**instance[-1].props, "associatePublicIpAddress": False})]
    assert check(RULE, network(routes) + private).on("box")


def test_an_endpoint_with_private_dns_off_is_not_used_by_the_sdk():
    [message] = check(RULE, network() + indexer() + sqs_endpoint(private_dns=False)).on("indexer")
    assert "private DNS off" in message


def test_an_endpoint_whose_security_group_does_not_admit_the_function_is_found():
    stack = network() + indexer() + [security_group("endpoint-sg", "sg-ep", "vpc-1", [
        {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["192.168.0.0/16"]}]),
        interface_endpoint("sqs", "sqs", "vpc-1", ["subnet-a", "subnet-b"], ["sg-ep"])]
    [message] = check(RULE, stack).on("indexer")
    assert "does not admit HTTPS" in message and "sg-fn" in message
    # The VPC's CIDR as the source admits every subnet of it.
    stack[-2] = security_group("endpoint-sg", "sg-ep", "vpc-1", [
        {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/16"]}])
    assert check(RULE, stack).passed


def test_an_endpoint_policy_that_does_not_allow_the_action_is_found():
    from wiring_helpers import policy
    narrow = policy({"Effect": "Allow", "Principal": "*", "Action": "sqs:ReceiveMessage", "Resource": "*"})
    [message] = check(RULE, network() + indexer() + sqs_endpoint(policy=narrow)).on("indexer")
    assert "endpoint policy" in message and "sqs:SendMessage" in message
    wide = policy({"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn("sqs", "failures")})
    assert check(RULE, network() + indexer() + sqs_endpoint(policy=wide)).passed


def test_calls_lambda_makes_on_the_functions_behalf_need_no_route():
    mapping = R("aws:lambda/eventSourceMapping:EventSourceMapping", "stream", {
        "functionName": arn("lambda", "function:indexer-fn"), "eventSourceArn": arn("kinesis", "stream/listings"),
        "destinationConfig": {"onFailure": {"destinationArn": arn("sqs", "failures")}}})
    statements = (allow(["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream"],
                        arn("kinesis", "stream/listings")), allow("sqs:SendMessage", arn("sqs", "failures")))
    # The on-failure destination is sent by Lambda: no route needed while the code does not name the queue...
    assert check(RULE, network() + indexer(*statements, env={}) + [mapping]).passed
    # ...but the shipped indexer's code sends to it as well (FAILURE_QUEUE_URL), from the VPC.
    [message] = check(RULE, network() + indexer(*statements) + [mapping]).on("indexer")
    assert "sqs:SendMessage" in message and "kinesis" not in message


def test_iam_database_auth_is_no_api_call_and_a_gateway_endpoint_serves_s3():
    statements = (allow("rds-db:connect", f"arn:aws:rds-db:us-east-1:{ACCOUNT}:dbuser:prx-1/app"),
                  allow("s3:GetObject", "arn:aws:s3:::drivers/*"))
    [message] = check(RULE, network() + indexer(*statements)).on("indexer")
    assert "Api::s3@us-east-1" in message and "rds-db" not in message
    gateway = R("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"id": "vpce-s3", "vpcId": "vpc-1", "vpcEndpointType": "Gateway",
                                                          "serviceName": "com.amazonaws.us-east-1.s3",
                                                          "routeTableIds": ["rtb-1"]})
    assert check(RULE, network() + indexer(*statements) + [gateway]).passed


def test_a_bus_in_another_region_is_not_served_by_the_vpcs_own_events_endpoint():
    local = allow("events:PutEvents", arn("events", "event-bus/leases"))
    remote = allow("events:PutEvents", arn("events", "event-bus/leases", "us-west-2"))
    ingress = [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "securityGroups": ["sg-fn"]}]
    endpoint = [security_group("endpoint-sg", "sg-ep", "vpc-1", ingress),
                interface_endpoint("events", "events", "vpc-1", ["subnet-a", "subnet-b"], ["sg-ep"])]
    assert check(RULE, network() + indexer(local, env={}) + endpoint).passed
    [message] = check(RULE, network() + indexer(local, remote, env={}) + endpoint).on("indexer")
    assert "Api::events@us-west-2" in message and "another Region" in message


def test_an_ecs_task_needs_a_path_for_its_execution_roles_image_pulls():
    task = [*role("exec", allow(["ecr:GetAuthorizationToken", "ecr:BatchGetImage"], "*")),
            R("aws:ecs/taskDefinition:TaskDefinition", "proxy-task", {"arn": arn("ecs", "task-definition/proxy:1"),
                                                                       "executionRoleArn": "arn:aws:iam::111111111111:role/exec-abc123"}),
            R("aws:ecs/service:Service", "proxy", {"taskDefinition": arn("ecs", "task-definition/proxy:1"),
                                                   "networkConfiguration": {"subnets": ["subnet-a"], "securityGroups": ["sg-fn"],
                                                                            "assignPublicIp": False}})]
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
