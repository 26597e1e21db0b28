"""API Gateway caching and Fargate task sizes."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .config import option, schema, settings
from .values import number, plain

CACHE_OPTIONS = {
    "allowCache": option(False, "Allow API Gateway stage caches (billed per hour whether used or not)."),
}


def _cache_off(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != "aws:apigateway/stage:Stage":
        return
    if settings("cost-apigw-cache-off", CACHE_OPTIONS, args.get_config())["allowCache"]:
        return
    props = plain(args.props)
    if props.get("cacheClusterEnabled") is True:
        size = props.get("cacheClusterSize") or "0.5"
        report_violation(
            f"The stage runs a {size} GB cache, billed every hour (from about 14.60 USD a month for "
            "0.5 GB). Turn cacheClusterEnabled off, or set allowCache for this stack."
        )


apigw_cache_off = ResourceValidationPolicy(
    name="cost-apigw-cache-off",
    description="API Gateway stage caches stay off unless the stack opts in.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_cache_off,
    config_schema=schema(CACHE_OPTIONS),
)

FARGATE_OPTIONS = {
    "maxCpu": option(1024, "Most CPU units per task (1024 = 1 vCPU).", minimum=256),
    "maxMemoryMb": option(2048, "Most memory per task (MB).", minimum=512),
    "maxDesiredCount": option(4, "Most tasks a service runs.", minimum=0),
}


def _fargate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in ("aws:ecs/taskDefinition:TaskDefinition", "aws:ecs/service:Service"):
        return
    config = settings("cost-ecs-fargate-size", FARGATE_OPTIONS, args.get_config())
    props = plain(args.props)
    if args.resource_type == "aws:ecs/service:Service":
        count = number(props.get("desiredCount"))
        if isinstance(count, float) and count > float(config["maxDesiredCount"]):
            report_violation(f"desiredCount {count:g} is above the cap of {config['maxDesiredCount']:g}.")
        return
    compatibilities = props.get("requiresCompatibilities") or []
    if isinstance(compatibilities, list) and "FARGATE" not in compatibilities:
        return
    cpu, memory = number(props.get("cpu")), number(props.get("memory"))
    if isinstance(cpu, float) and cpu > float(config["maxCpu"]):
        report_violation(f"Task CPU {cpu:g} units is above the cap of {config['maxCpu']:g}.")
    if isinstance(memory, float) and memory > float(config["maxMemoryMb"]):
        report_violation(f"Task memory {memory:g} MB is above the cap of {config['maxMemoryMb']:g} MB.")


ecs_fargate_size = ResourceValidationPolicy(
    name="cost-ecs-fargate-size",
    description="Fargate tasks and services stay within the stack's size and count caps.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_fargate,
    config_schema=schema(FARGATE_OPTIONS),
)

POLICIES = [apigw_cache_off, ecs_fargate_size]
