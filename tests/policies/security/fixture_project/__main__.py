"""Resources the security pack must judge: three mandatory problems, one allow-listed managed policy,
and a private API whose open method is caught by stack rules through property dependencies."""

import json

import pulumi
import pulumi_aws as aws

vpc = aws.ec2.Vpc("vpc", cidr_block="10.20.0.0/16")
aws.ec2.SecurityGroup(
    "workstation-sg",
    vpc_id=vpc.id,
    description="gaming workstation",
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(
            protocol="tcp", from_port=3389, to_port=3389, cidr_blocks=["0.0.0.0/0"], description="RDP from anywhere"
        )
    ],
)

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
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Docs", "Effect": "Allow", "Action": ["s3:*"], "Resource": "arn:aws:s3:::leases-docs/*"}
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "fn-vpc-access", role=role.name, policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
)

api = aws.apigateway.RestApi(
    "leases-api", endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types="PRIVATE")
)
leases = aws.apigateway.Resource("leases", rest_api=api.id, parent_id=api.root_resource_id, path_part="leases")
aws.apigateway.Method("get-leases", rest_api=api.id, resource_id=leases.id, http_method="GET", authorization="NONE")

pulumi.export("apiId", api.id)
