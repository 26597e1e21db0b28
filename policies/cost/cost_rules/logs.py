"""CloudWatch Logs: log groups without a retention keep (and bill) every byte forever."""

from __future__ import annotations

from pulumi_policy import (EnforcementLevel, PolicyConfigSchema, ReportViolation, ResourceValidationArgs,
                           ResourceValidationPolicy)

DEFAULT_MAX_RETENTION_DAYS = 90


def _retention(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != "aws:cloudwatch/logGroup:LogGroup":
        return
    maximum = args.get_config().get("maxRetentionDays", DEFAULT_MAX_RETENTION_DAYS)
    days = args.props.get("retentionInDays")
    if not days:
        report_violation(f"retentionInDays is not set: logs are kept forever. Set it to at most {maximum} days.", None)
    elif days > maximum:
        report_violation(f"retentionInDays is {days}: at most {maximum} days in this stack.", None)


log_retention = ResourceValidationPolicy(
    name="cost-loggroup-retention",
    description="Every log group has a retention, at most maxRetentionDays.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_retention,
    config_schema=PolicyConfigSchema(properties={
        "maxRetentionDays": {"type": "integer", "minimum": 1, "default": DEFAULT_MAX_RETENTION_DAYS}}),
)

POLICIES = [log_retention]
