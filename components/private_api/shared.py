"""What the private API modules share: ports, log format, resource and endpoint policies, the
logged and throttled stage, and security-group allow rules."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components.providers import child_opts
from components.rules import formats
from components.security_groups import HTTPS  # noqa: F401 (the private API modules' port)

# API Gateway's reserved health path: 200 when the service is healthy (seed S4:725).
PING_PATH = "/ping"
# One JSON line per request; vpceId shows which endpoint (and so which consumer) called.
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "extendedRequestId": "$context.extendedRequestId",
        "sourceIp": "$context.identity.sourceIp",
        "vpceId": "$context.identity.vpceId",
        "caller": "$context.identity.caller",
        "requestTime": "$context.requestTime",
        "httpMethod": "$context.httpMethod",
        "resourcePath": "$context.resourcePath",
        "status": "$context.status",
        "protocol": "$context.protocol",
        "responseLength": "$context.responseLength",
        "integrationLatency": "$context.integrationLatency",
    },
    separators=(",", ":"),
)
NGINX_IMAGE = "public.ecr.aws/nginx/nginx:1.27"
AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.17.0"


def execute_api_host(api_id: pulumi.Input[str], region: str) -> pulumi.Output[str]:
    """The API's own host name: Host header and TLS name of every call through an endpoint."""
    return pulumi.Output.concat(api_id, f".execute-api.{region}.amazonaws.com")


def resource_policy(
    execution_arn: pulumi.Input[str], allowed_vpce_ids: Sequence[pulumi.Input[str]]
) -> pulumi.Output[str]:
    """Invoke allowed from the listed execute-api endpoints only; every other source denied.

    The Allow carries the same condition as the Deny, so no statement grants `Principal: *`
    unconditionally, and the explicit Deny wins over any other grant.
    """
    if not allowed_vpce_ids:
        raise ValueError("a private API needs at least one allowed VPC endpoint")

    def build(values: list) -> str:
        arn, *ids = values
        endpoints = sorted(set(ids))
        resource = f"{arn}/*"
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "InvokeFromAllowedEndpoints",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "execute-api:Invoke",
                        "Resource": resource,
                        "Condition": {"StringEquals": {"aws:SourceVpce": endpoints}},
                    },
                    {
                        "Sid": "DenyAllOtherEndpoints",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "execute-api:Invoke",
                        "Resource": resource,
                        "Condition": {"StringNotEquals": {"aws:SourceVpce": endpoints}},
                    },
                ],
            },
            separators=(",", ":"),
        )

    return pulumi.Output.all(execution_arn, *allowed_vpce_ids).apply(build)


def endpoint_policy(api_execution_arns: Sequence[pulumi.Input[str]]) -> pulumi.Output[str]:
    """Endpoint policy: `execute-api:Invoke` on the named APIs only (every stage, method and path).

    The APIs are named by execution ARN (`arn:aws:execute-api:<region>:<account>:<api-id>`). When the
    API is created in the same program, pass a `pulumi.deferred_output()` resolved with the API's
    execution ARN: the API's resource policy names this endpoint, so the endpoint has to be declared
    first, while in the resource graph the API comes first (RestApi → endpoint → RestApiPolicy).
    """
    if not api_execution_arns:
        raise ValueError("an execute-api endpoint policy needs at least one API")

    def build(arns: list) -> str:
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "InvokeNamedApis",
                        "Effect": "Allow",
                        # Calls to private APIs are anonymous unless signed; the resource side is what is scoped.
                        "Principal": "*",
                        "Action": "execute-api:Invoke",
                        "Resource": [f"{arn}/*" for arn in sorted(set(arns))],
                    }
                ],
            },
            separators=(",", ":"),
        )

    return pulumi.Output.all(*api_execution_arns).apply(build)


def check_log_retention(days: int) -> None:
    """Raises when ``days`` is not a retention CloudWatch Logs accepts (Args validation)."""
    problem = formats.log_retention_problem(days)
    if problem:
        raise ValueError(f"log_retention_days {days}: expected {problem}")


def check_throttle(rate: float, burst: int) -> None:
    """Raises when stage throttling exceeds the account's API Gateway quota (Args validation)."""
    problems = formats.throttle_problems(rate, burst)
    if problems:
        raise ValueError(f"throttling {rate}/{burst}: expected " + " and ".join(problems))


def logged_throttled_stage(
    owner: pulumi.Resource,
    name: str,
    *,
    provider: pulumi.ProviderResource,
    rest_api: aws.apigateway.RestApi,
    deployment: aws.apigateway.Deployment,
    stage_name: str,
    log_retention_days: int,
    throttling_rate_limit: float,
    throttling_burst_limit: int,
    depends_on: Sequence[pulumi.Resource] = (),
) -> tuple[aws.cloudwatch.LogGroup, aws.apigateway.Stage, aws.apigateway.MethodSettings]:
    """A stage with JSON access logs in its own log group, stage-wide throttling and ERROR
    execution logging (children of ``owner``)."""
    child = child_opts(owner, provider)
    access_logs = aws.cloudwatch.LogGroup(
        f"{name}-access-logs",
        name_prefix=f"/aws/apigateway/{name}-access-",
        retention_in_days=log_retention_days,
        opts=child,
    )
    stage = aws.apigateway.Stage(
        f"{name}-stage",
        rest_api=rest_api.id,
        deployment=deployment.id,
        stage_name=stage_name,
        access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(
            destination_arn=access_logs.arn, format=ACCESS_LOG_FORMAT
        ),
        opts=child_opts(owner, provider, depends_on=list(depends_on)),
    )
    method_settings = aws.apigateway.MethodSettings(
        f"{name}-throttling",
        rest_api=rest_api.id,
        stage_name=stage.stage_name,
        method_path="*/*",
        settings=aws.apigateway.MethodSettingsSettingsArgs(
            throttling_rate_limit=throttling_rate_limit,
            throttling_burst_limit=throttling_burst_limit,
            # API-level metrics are free; per-method detailed metrics would bill per metric.
            metrics_enabled=False,
            logging_level="ERROR",
            data_trace_enabled=False,
        ),
        opts=child,
    )
    return access_logs, stage, method_settings
