"""Pattern 2: a Lambda function in the consumer VPC calling the private API."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.lambda_function import LambdaPackaging, PythonFunction, PythonFunctionArgs
from components.private_api.consumer import PrivateApiConsumer
from components.private_api.shared import check_log_retention
from components.providers import child_opts
from components.security_groups import allow


@dataclass(frozen=True)
class VpcLambdaCallerArgs:
    provider: pulumi.ProviderResource
    consumer: PrivateApiConsumer
    api_id: pulumi.Input[str]
    api_stage_name: pulumi.Input[str]
    api_path: str = "/"
    connect_timeout_seconds: float = 3.0
    read_timeout_seconds: float = 10.0
    memory_mb: int = 256
    log_retention_days: int = 30
    lambda_packaging: LambdaPackaging = LambdaPackaging()  # CODE_ONLY under the offline preview and tests

    def __post_init__(self) -> None:
        if not self.api_path.startswith("/"):
            raise ValueError(f"api_path {self.api_path!r} must start with /")
        if not 0 < self.connect_timeout_seconds <= 30 or not 0 < self.read_timeout_seconds <= 60:
            raise ValueError("timeouts: connect in (0, 30] s and read in (0, 60] s")
        check_log_retention(self.log_retention_days)

    @property
    def function_timeout_seconds(self) -> int:
        # Room for a retry and the caller's own deadline margin.
        return int(2 * (self.connect_timeout_seconds + self.read_timeout_seconds)) + 2


class VpcLambdaCaller(pulumi.ComponentResource):
    """Children: `security_group`, `function` (PythonFunction in the consumer's private subnets)."""

    def __init__(self, name: str, args: VpcLambdaCallerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:VpcLambdaCaller", name, None, opts)
        child = child_opts(self, args.provider)
        consumer = args.consumer
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-fn",
            vpc_id=consumer.network.vpc_id,
            description="Private API caller: HTTPS to the execute-api endpoint only",
            opts=child,
        )
        allow(
            f"{name}-fn-to-endpoint",
            f"{name}-endpoint-from-fn",
            source_security_group_id=self.security_group.id,
            destination_security_group_id=consumer.endpoint_security_group.id,
            egress_description="HTTPS to the execute-api endpoint",
            ingress_description="HTTPS from the private API caller function",
            opts=child,
        )
        environment: dict[str, pulumi.Input[str]] = {
            "API_URL": consumer.api_base_url(args.api_id, args.api_stage_name),
            "API_PATH": args.api_path,
            "CONNECT_TIMEOUT_SECONDS": f"{args.connect_timeout_seconds:g}",
            "READ_TIMEOUT_SECONDS": f"{args.read_timeout_seconds:g}",
        }
        if consumer.needs_api_id_header:
            environment["API_ID"] = args.api_id
        self.function = PythonFunction(
            f"{name}-fn",
            PythonFunctionArgs(
                source="private_api_caller",
                memory_mb=args.memory_mb,
                timeout_seconds=args.function_timeout_seconds,
                description="Calls the private API through the execute-api endpoint",
                environment=environment,
                subnet_ids=consumer.network.private_subnet_ids,
                security_group_ids=[self.security_group.id],
                log_retention_days=args.log_retention_days,
                packaging=args.lambda_packaging,
            ),
            opts=child,
        )
        self.register_outputs({"functionName": self.function.name, "apiUrl": environment["API_URL"]})
