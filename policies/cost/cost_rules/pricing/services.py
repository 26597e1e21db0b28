"""API Gateway stages and ECS services on Fargate."""

from __future__ import annotations

from collections.abc import Mapping

from ..stack import Res
from ..values import get, number
from .engine import Ctx, Line, money, prices


@prices("aws:apigateway/stage:Stage")
def _rest_stage(res: Res, ctx: Ctx, line: Line) -> None:
    requests = ctx.usage(res, "apiRequestsPerMonth")
    cost = requests / 1e6 * ctx.price(line, "apigateway.rest.million")
    line.add(cost, low=0, note=f"{requests:,.0f} REST requests {money(cost)}")
    if res.get("cacheClusterEnabled") is True:
        size = str(res.get("cacheClusterSize", default="0.5"))
        rate = ctx.lookup(line, "apigateway.cache.hour", size)
        if rate is None:
            line.unpriced(f"not priced: cache size {size} GB not in the table")
            return
        cache = rate * ctx.hours
        line.add(cache, note=f"{size} GB cache {money(cache)}")


@prices("aws:apigatewayv2/stage:Stage")
def _http_stage(res: Res, ctx: Ctx, line: Line) -> None:
    apis = ctx.stack.referenced(res, "apiId", res.get("apiId"), ["aws:apigatewayv2/api:Api"], keys=("id",))
    protocol = apis[0].get("protocolType") if apis else "HTTP"
    if protocol != "HTTP":
        line.unpriced(f"not priced: {protocol} APIs are not in the table")
        return
    requests = ctx.usage(res, "apiRequestsPerMonth")
    cost = requests / 1e6 * ctx.price(line, "apigateway.http.million")
    line.add(cost, low=0, note=f"{requests:,.0f} HTTP API requests")



@prices("aws:ecs/service:Service")
def _ecs_service(res: Res, ctx: Ctx, line: Line) -> None:
    strategies = res.get("capacityProviderStrategies", default=[]) or []
    providers = {get(s, "capacityProvider") for s in strategies if isinstance(s, Mapping)}
    launch_type = res.get("launchType")
    if launch_type != "FARGATE" and not providers & {"FARGATE", "FARGATE_SPOT"}:
        line.add(0, note="EC2 launch type: the container instances are priced on their own")
        return
    definitions = ctx.stack.referenced(res, "taskDefinition", res.get("taskDefinition"),
                                       ["aws:ecs/taskDefinition:TaskDefinition"], keys=("arn", "id", "family"))
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
    per_task = (cpu / 1024 * ctx.price(line, f"fargate.{arch}.vcpuHour")
                + memory / 1024 * ctx.price(line, f"fargate.{arch}.gbHour")) * ctx.hours
    factor, low_factor, label = 1.0, 1.0, "on-demand"
    if providers == {"FARGATE_SPOT"}:
        factor, low_factor, label = ctx.usage(res, "spotPriceFraction"), 0.1, "Fargate Spot"
    cost = count * per_task * factor
    line.add(cost, low=count * per_task * low_factor, high=count * per_task,
             note=f"{count:g} task(s) x {cpu / 1024:g} vCPU / {memory / 1024:g} GB {arch} {label} "
                  f"{money(per_task)} each (auto scaling beyond desiredCount not estimated)")
