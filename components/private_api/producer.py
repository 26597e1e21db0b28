"""Producer: the private REST API, allowed only from named execute-api endpoints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.lambda_function import LambdaPackaging, PythonFunction, PythonFunctionArgs
from components.private_api.shared import (
    check_log_retention,
    check_throttle,
    execute_api_host,
    logged_throttled_stage,
    resource_policy,
)
from components.providers import child_opts
from components.rules import formats


@dataclass(frozen=True)
class PrivateApiArgs:
    """A private REST API with an echo Lambda integration (producer account).

    allowed_vpce_ids:    endpoints whose calls the resource policy accepts (all others denied)
    associated_vpce_ids: endpoints associated with the API, giving each one the
                         `{api-id}-{vpce-id}.execute-api.{region}.amazonaws.com` alias that works
                         when private DNS is off on that endpoint. Only for endpoints whose policy
                         does not name this API by a reference to it (that would be a cycle).
    """

    provider: pulumi.ProviderResource
    region: str
    allowed_vpce_ids: Sequence[pulumi.Input[str]]
    associated_vpce_ids: Sequence[pulumi.Input[str]] = ()
    stage_name: str = "dev"
    throttling_rate_limit: float = 100.0
    throttling_burst_limit: int = 50
    log_retention_days: int = 30
    echo_memory_mb: int = 256
    echo_timeout_seconds: int = 10
    depends_on: Sequence[pulumi.Resource] = ()  # e.g. the ApiGatewayLogging of this account/Region
    lambda_packaging: LambdaPackaging = LambdaPackaging()  # CODE_ONLY under the offline preview and tests

    def __post_init__(self) -> None:
        if not self.allowed_vpce_ids:
            raise ValueError("allowed_vpce_ids: a private API needs at least one allowed VPC endpoint")
        for vpce in self.allowed_vpce_ids:
            if isinstance(vpce, str) and formats.vpc_endpoint_id_problem(vpce):
                raise ValueError(f"allowed_vpce_ids: {vpce!r} is not a VPC endpoint id (vpce-...)")
        if not formats.STAGE_NAME.match(self.stage_name):
            raise ValueError(f"stage_name {self.stage_name!r}: letters, digits, _ and - only")
        check_throttle(self.throttling_rate_limit, self.throttling_burst_limit)
        check_log_retention(self.log_retention_days)


class PrivateApi(pulumi.ComponentResource):
    """Children: `echo` (PythonFunction), `rest_api`, `policy`, `deployment`, `stage`,
    `method_settings`, `access_logs`. Outputs: `api_id`, `execution_arn`, `stage_name`, `host`."""

    def __init__(self, name: str, args: PrivateApiArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:PrivateApi", name, None, opts)
        child = child_opts(self, args.provider)

        self.echo = PythonFunction(
            f"{name}-echo",
            PythonFunctionArgs(
                source="private_api_echo",
                memory_mb=args.echo_memory_mb,
                timeout_seconds=args.echo_timeout_seconds,
                description="Private API integration: echoes the request context",
                log_retention_days=args.log_retention_days,
                packaging=args.lambda_packaging,
            ),
            opts=child,
        )

        self.rest_api = aws.apigateway.RestApi(
            name,
            description="Private REST API reachable only through allow-listed execute-api endpoints",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(
                types="PRIVATE", vpc_endpoint_ids=list(args.associated_vpce_ids) or None
            ),
            put_rest_api_mode="merge",
            opts=child,
        )
        self.policy = aws.apigateway.RestApiPolicy(
            f"{name}-policy",
            rest_api_id=self.rest_api.id,
            policy=resource_policy(self.rest_api.execution_arn, args.allowed_vpce_ids),
            opts=child,
        )

        # Every path and method goes to the echo function (Lambda proxy integration).
        proxy = aws.apigateway.Resource(
            f"{name}-proxy",
            rest_api=self.rest_api.id,
            parent_id=self.rest_api.root_resource_id,
            path_part="{proxy+}",
            opts=child,
        )
        self.methods: list[aws.apigateway.Method] = []
        self.integrations: list[aws.apigateway.Integration] = []
        for label, resource_id in (("root", self.rest_api.root_resource_id), ("proxy", proxy.id)):
            # No authorizer: the resource policy admits only the allow-listed endpoints.
            method = aws.apigateway.Method(
                f"{name}-{label}-any",
                rest_api=self.rest_api.id,
                resource_id=resource_id,
                http_method="ANY",
                authorization="NONE",
                opts=child,
            )
            integration = aws.apigateway.Integration(
                f"{name}-{label}-echo",
                rest_api=self.rest_api.id,
                resource_id=resource_id,
                http_method=method.http_method,
                type="AWS_PROXY",
                integration_http_method="POST",
                uri=self.echo.function.invoke_arn,
                opts=child,
            )
            self.methods.append(method)
            self.integrations.append(integration)
        self.invoke_permission = aws.lambda_.Permission(
            f"{name}-invoke-echo",
            action="lambda:InvokeFunction",
            function=self.echo.function.name,
            principal="apigateway.amazonaws.com",
            # Bound to this API's stage; method and path stay open because every route is a proxy
            # to this one function and API Gateway sends the request's own path in the ARN.
            source_arn=self.rest_api.execution_arn.apply(lambda arn: f"{arn}/{args.stage_name}/*/*"),
            opts=child,
        )

        # A new deployment whenever the routes or the resource policy change: policy changes on a
        # REST API take effect only when deployed.
        self.deployment = aws.apigateway.Deployment(
            f"{name}-deployment",
            rest_api=self.rest_api.id,
            triggers={
                "policy": self.policy.policy,
                **{f"integration{i}": integ.id for i, integ in enumerate(self.integrations)},
            },
            opts=child_opts(self, provider=args.provider, depends_on=[self.policy, *self.methods, *self.integrations]),
        )
        self.access_logs, self.stage, self.method_settings = logged_throttled_stage(
            self,
            name,
            provider=args.provider,
            rest_api=self.rest_api,
            deployment=self.deployment,
            stage_name=args.stage_name,
            log_retention_days=args.log_retention_days,
            throttling_rate_limit=args.throttling_rate_limit,
            throttling_burst_limit=args.throttling_burst_limit,
            depends_on=args.depends_on,
        )

        self.api_id = self.rest_api.id
        self.execution_arn = self.rest_api.execution_arn
        self.stage_name = self.stage.stage_name
        self.host = execute_api_host(self.rest_api.id, args.region)
        self.register_outputs(
            {"apiId": self.api_id, "stageName": self.stage_name, "host": self.host, "invokeUrl": self.stage.invoke_url}
        )
