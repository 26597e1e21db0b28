"""Aurora Serverless v2: capacity caps and instance classes per stack."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .config import option, schema, settings
from .values import UNKNOWN, get, number, plain

CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"

OPTIONS = {
    "maxCapacityAcu": option(64.0, "Highest maxCapacity (ACUs) a Serverless v2 cluster may scale to.", minimum=0.5),
    "maxMinCapacityAcu": option(8.0, "Highest minCapacity (the floor billed around the clock).", minimum=0),
    "allowedInstanceClasses": option(["db.serverless"], "Instance classes cluster instances may use."),
}


def _aurora(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in (CLUSTER, CLUSTER_INSTANCE):
        return
    config = settings("cost-aurora-sv2-capacity-caps", OPTIONS, args.get_config())
    props = plain(args.props)
    if args.resource_type == CLUSTER_INSTANCE:
        instance_class = props.get("instanceClass")
        allowed = list(config["allowedInstanceClasses"])
        if isinstance(instance_class, str) and instance_class not in allowed:
            report_violation(f"Instance class {instance_class} is not allowed; use {', '.join(allowed)}.")
        return
    engine = props.get("engine")
    if not isinstance(engine, str) or not engine.startswith("aurora"):
        return
    if props.get("engineMode") == "serverless":
        report_violation(
            "engineMode serverless is Aurora Serverless v1 (end of life): use engineMode provisioned "
            "with serverlessv2ScalingConfiguration and db.serverless instances."
        )
        return
    scaling = props.get("serverlessv2ScalingConfiguration")
    if scaling is UNKNOWN:
        return
    if not isinstance(scaling, dict):
        if "db.serverless" in config["allowedInstanceClasses"]:
            report_violation(
                "serverlessv2ScalingConfiguration is not set: without a maxCapacity nothing caps what "
                "the cluster's Serverless v2 instances can scale to."
            )
        return
    maximum, minimum = number(get(scaling, "maxCapacity")), number(get(scaling, "minCapacity"))
    cap, floor = float(config["maxCapacityAcu"]), float(config["maxMinCapacityAcu"])
    if maximum is None:
        report_violation("serverlessv2ScalingConfiguration.maxCapacity is not set.")
    elif isinstance(maximum, float) and maximum > cap:
        report_violation(
            f"maxCapacity {maximum:g} ACU is above the {cap:g} ACU cap for this stack "
            f"(up to {maximum * 0.12 * 730:,.0f} USD a month per instance at 0.12 USD/ACU-h)."
        )
    if isinstance(minimum, float) and minimum > floor:
        report_violation(
            f"minCapacity {minimum:g} ACU is above the {floor:g} ACU floor allowed for this stack: "
            f"it bills at least {minimum * 0.12 * 730:,.0f} USD a month per instance, idle or not."
        )


aurora_capacity_caps = ResourceValidationPolicy(
    name="cost-aurora-sv2-capacity-caps",
    description="Aurora clusters are Serverless v2 within the stack's capacity floor and cap.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_aurora,
    config_schema=schema(OPTIONS),
)

POLICIES = [aurora_capacity_caps]
