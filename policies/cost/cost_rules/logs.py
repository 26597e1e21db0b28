"""CloudWatch Logs: log groups without a retention keep (and bill) every byte forever."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .config import option, schema, settings
from .values import UNKNOWN, number, plain

DEFAULT_MAX_RETENTION_DAYS = 90

OPTIONS = {
    "maxRetentionDays": option(DEFAULT_MAX_RETENTION_DAYS, "Longest retention a log group may keep (days).", minimum=1),
}


def _retention(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != "aws:cloudwatch/logGroup:LogGroup":
        return
    maximum = int(settings("cost-loggroup-retention", OPTIONS, args.get_config())["maxRetentionDays"])
    days = number(plain(args.props).get("retentionInDays"))
    if days is UNKNOWN:
        return
    if not days:
        report_violation(f"retentionInDays is not set: logs are kept forever. Set it to at most {maximum} days.", None)
    elif days > maximum:
        report_violation(f"retentionInDays is {days:g}: at most {maximum} days in this stack.", None)


log_retention = ResourceValidationPolicy(
    name="cost-loggroup-retention",
    description="Every log group has a retention, at most maxRetentionDays.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_retention,
    config_schema=schema(OPTIONS),
)

POLICIES = [log_retention]
