"""API Gateway stages and ECS services on Fargate."""

from __future__ import annotations

from collections.abc import Mapping

from ..stack import Res
from ..values import get, number
from .engine import Ctx, Line, prices

REQUESTS = {"monthly_requests": "API requests a month"}


def _requests(ctx: Ctx, res: Res, line: Line, label: str, key: str) -> None:
    requests = ctx.declared(res, "monthly_requests")
    line.usage(
        label,
        None if requests is None else requests / 1e6,
        "million requests",
        ctx.price(line, key),
        "monthly_requests",
    )


@prices("aws:apigateway/stage:Stage", usage=REQUESTS)
def _rest_stage(res: Res, ctx: Ctx, line: Line) -> None:
    _requests(ctx, res, line, "REST API requests", "apigateway.rest.million")
    if res.get("cacheClusterEnabled") is True:
        size = str(res.get("cacheClusterSize", default="0.5"))
        rate = ctx.lookup(line, "apigateway.cache.hour", size)
        if rate is None:
            line.unpriced(f"not priced: cache size {size} GB not in the table")
            return
        line.fixed(f"{size} GB cache", ctx.hours, "hours", rate)


@prices("aws:apigatewayv2/stage:Stage", usage=REQUESTS)
def _http_stage(res: Res, ctx: Ctx, line: Line) -> None:
    apis = ctx.stack.referenced(res, "apiId", res.get("apiId"), ["aws:apigatewayv2/api:Api"], keys=("id",))
    protocol = apis[0].get("protocolType") if apis else "HTTP"
    if protocol != "HTTP":
        line.unpriced(f"not priced: {protocol} APIs are not in the table")
        return
    _requests(ctx, res, line, "HTTP API requests", "apigateway.http.million")


def _assigns_public_ip(service: Res) -> bool:
    """awsvpc tasks with assignPublicIp get a public IPv4 address each, billed like any other
    (https://aws.amazon.com/vpc/pricing/, "Public IPv4 addresses"; the Fargate pricing page says so too)."""
    return service.get("networkConfiguration", "assignPublicIp") is True


@prices("aws:ecs/service:Service")
def _ecs_service(res: Res, ctx: Ctx, line: Line) -> None:
    strategies = res.get("capacityProviderStrategies", default=[]) or []
    providers = {get(s, "capacityProvider") for s in strategies if isinstance(s, Mapping)}
    launch_type = res.get("launchType")
    if launch_type != "FARGATE" and not providers & {"FARGATE", "FARGATE_SPOT"}:
        line.note("EC2 launch type: the container instances are priced on their own")
        return
    definitions = ctx.stack.referenced(
        res,
        "taskDefinition",
        res.get("taskDefinition"),
        ["aws:ecs/taskDefinition:TaskDefinition"],
        keys=("arn", "id", "family"),
    )
    if not definitions:
        line.unpriced("not priced: task definition not found in the stack")
        return
    definition = definitions[0]
    cpu, memory = number(definition.get("cpu")), number(definition.get("memory"))
    if not isinstance(cpu, float) or not isinstance(memory, float):
        line.unpriced("not priced: task cpu or memory not known")
        return
    arch = "arm64" if definition.get("runtimePlatform", "cpuArchitecture") == "ARM64" else "x86_64"
    count = number(res.get("desiredCount"))
    count = count if isinstance(count, float) else 1.0
    factor, label = 1.0, "on-demand"
    if providers == {"FARGATE_SPOT"}:
        factor, label = float(ctx.assumptions["spotPriceFraction"]), "Fargate Spot"
    task_hours = count * ctx.hours
    for what, quantity, unit, key in (
        ("vCPU", cpu / 1024, "vCPU-hours", "vcpuHour"),
        ("memory", memory / 1024, "GB-hours", "gbHour"),
    ):
        rate = ctx.price(line, f"fargate.{arch}.{key}")
        line.fixed(
            f"{count:g} task(s) {what} {arch} {label}",
            quantity * task_hours,
            unit,
            rate * factor,
            low=quantity * task_hours * rate * (0.1 if factor != 1.0 else 1.0),
            high=quantity * task_hours * rate,
        )
    if _assigns_public_ip(res):
        line.fixed(
            f"{count:g} task(s) public IPv4 address",
            task_hours,
            "address-hours",
            ctx.price(line, "ec2.publicIpv4.hour"),
        )
    line.note("auto scaling beyond desiredCount not estimated")
