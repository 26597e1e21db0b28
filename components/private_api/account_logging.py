"""API Gateway's account setting: the role it uses to write logs (one per account and Region)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam
from components.providers import account_id, child_opts


@dataclass(frozen=True)
class ApiGatewayLoggingArgs:
    provider: pulumi.ProviderResource
    region: str


class ApiGatewayLogging(pulumi.ComponentResource):
    """Sets the account's API Gateway CloudWatch role in one Region (needed for stage logging).

    This is an account-and-Region singleton: create exactly one per pair across the whole stack.
    """

    def __init__(self, name: str, args: ApiGatewayLoggingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:ApiGatewayLogging", name, None, opts)
        child = child_opts(self, args.provider)
        account = account_id(args.provider)
        self.role = aws.iam.Role(
            f"{name}-role",
            path=iam.ROLE_PATH,
            assume_role_policy=iam.service_trust_policy("apigateway.amazonaws.com", source_account=account),
            description="API Gateway writes execution and access logs to CloudWatch Logs",
            opts=child,
        )
        self.role_policy = aws.iam.RolePolicy(
            f"{name}-logs",
            role=self.role.id,
            policy=iam.policy_document(
                [
                    # The role serves every API of the account in this Region and API Gateway names its
                    # execution log groups itself, so log groups are matched by account and Region.
                    iam.statement(
                        [
                            "logs:CreateLogGroup",
                            "logs:CreateLogStream",
                            "logs:DescribeLogGroups",
                            "logs:DescribeLogStreams",
                            "logs:PutLogEvents",
                        ],
                        [account.apply(lambda a: f"arn:aws:logs:{args.region}:{a}:log-group:*")],
                    ),
                ]
            ),
            opts=child,
        )
        self.account = aws.apigateway.Account(
            f"{name}-account",
            cloudwatch_role_arn=self.role.arn,
            opts=child_opts(self, args.provider, depends_on=[self.role_policy]),
        )
        self.register_outputs({"roleArn": self.role.arn})
