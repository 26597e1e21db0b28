"""The search indexer's wiring in miniature: a function in two private subnets with no NAT, sending to
the failure queue its environment names. Stack ``broken`` has no way to SQS; stack ``fixed`` adds an
SQS interface endpoint (private DNS on, HTTPS admitted from the function's security group)."""

import json

import pulumi
import pulumi_aws as aws

with_endpoint = pulumi.Config().get_bool("sqsEndpoint") or False

vpc = aws.ec2.Vpc("vpc", cidr_block="10.30.0.0/16", enable_dns_support=True, enable_dns_hostnames=True)
subnets = [
    aws.ec2.Subnet(f"private-{i}", vpc_id=vpc.id, cidr_block=f"10.30.{i}.0/24", availability_zone=zone)
    for i, zone in enumerate(("us-east-1a", "us-east-1b"))
]
table = aws.ec2.RouteTable("private", vpc_id=vpc.id)
for i, subnet in enumerate(subnets):
    aws.ec2.RouteTableAssociation(f"private-{i}", subnet_id=subnet.id, route_table_id=table.id)

function_sg = aws.ec2.SecurityGroup(
    "fn-sg",
    vpc_id=vpc.id,
    description="the function",
    egress=[aws.ec2.SecurityGroupEgressArgs(protocol="tcp", from_port=443, to_port=443, cidr_blocks=["10.30.0.0/16"])],
)
queue = aws.sqs.Queue("failures")
role = aws.iam.Role(
    "fn-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "fn-policy",
    role=role.id,
    policy=queue.arn.apply(
        lambda arn: json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn}]}
        )
    ),
)
aws.lambda_.Function(
    "indexer",
    role=role.arn,
    runtime="python3.13",
    handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(event, context):\n    return None\n")}),
    vpc_config=aws.lambda_.FunctionVpcConfigArgs(
        subnet_ids=[s.id for s in subnets], security_group_ids=[function_sg.id]
    ),
    environment=aws.lambda_.FunctionEnvironmentArgs(variables={"FAILURE_QUEUE_URL": queue.url}),
)

if with_endpoint:
    endpoint_sg = aws.ec2.SecurityGroup(
        "endpoint-sg",
        vpc_id=vpc.id,
        description="SQS endpoint",
        ingress=[
            aws.ec2.SecurityGroupIngressArgs(
                protocol="tcp", from_port=443, to_port=443, security_groups=[function_sg.id]
            )
        ],
    )
    aws.ec2.VpcEndpoint(
        "sqs",
        vpc_id=vpc.id,
        service_name="com.amazonaws.us-east-1.sqs",
        vpc_endpoint_type="Interface",
        private_dns_enabled=True,
        subnet_ids=[s.id for s in subnets],
        security_group_ids=[endpoint_sg.id],
    )
