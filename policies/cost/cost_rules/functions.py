"""Lambda: explicit, bounded memory and timeout, bounded concurrency, Graviton."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .config import option, schema, settings
from .values import UNKNOWN, explicitly_set, number, plain

FUNCTION = "aws:lambda/function:Function"
PROVISIONED = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"

CONCURRENCY_OPTIONS = {
    "maxMemoryMb": option(2048, "Largest memory size (MB); more memory bills more per millisecond.", minimum=128),
    "maxTimeoutSeconds": option(300, "Longest timeout (s); a stuck invocation bills until it.", minimum=1),
    "requireReservedConcurrency": option(False, "Require reservedConcurrentExecutions on every function."),
    "maxReservedConcurrency": option(100, "Highest reservedConcurrentExecutions.", minimum=0),
    "maxProvisionedConcurrency": option(
        10, "Most provisioned concurrent executions per alias or version (billed around the clock).", minimum=0
    ),
}


def _concurrency(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in (FUNCTION, PROVISIONED):
        return
    config = settings("cost-lambda-concurrency-cap", CONCURRENCY_OPTIONS, args.get_config())
    props = plain(args.props)
    if args.resource_type == PROVISIONED:
        count = number(props.get("provisionedConcurrentExecutions"))
        cap = float(config["maxProvisionedConcurrency"])
        if isinstance(count, float) and count > cap:
            report_violation(
                f"{count:g} provisioned concurrent executions is above the cap of {cap:g} for this "
                "stack: each environment bills all month, used or not."
            )
        return
    for key, label in (("memorySize", "memory size"), ("timeout", "timeout")):
        if not explicitly_set(props, key):
            report_violation(
                f"The {label} is not set ({key}): the default is rarely the right size; set it "
                "explicitly (AWS Lambda Power Tuning finds the cheapest memory)."
            )
    memory, timeout = number(props.get("memorySize")), number(props.get("timeout"))
    if isinstance(memory, float) and memory > float(config["maxMemoryMb"]):
        report_violation(f"Memory size {memory:g} MB is above the cap of {config['maxMemoryMb']:g} MB.")
    if isinstance(timeout, float) and timeout > float(config["maxTimeoutSeconds"]):
        report_violation(f"Timeout {timeout:g} s is above the cap of {config['maxTimeoutSeconds']:g} s.")
    reserved = number(props.get("reservedConcurrentExecutions"))
    if isinstance(reserved, float) and reserved > float(config["maxReservedConcurrency"]):
        report_violation(f"Reserved concurrency {reserved:g} is above the cap of {config['maxReservedConcurrency']:g}.")
    elif config["requireReservedConcurrency"] and (reserved is None or (isinstance(reserved, float) and reserved < 0)):
        report_violation(
            "reservedConcurrentExecutions is not set: nothing bounds how many copies run (and bill) at once."
        )


lambda_concurrency_cap = ResourceValidationPolicy(
    name="cost-lambda-concurrency-cap",
    description="Lambda functions set memory and timeout explicitly within caps; concurrency stays bounded.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_concurrency,
    config_schema=schema(CONCURRENCY_OPTIONS),
)


def _arm64(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != FUNCTION:
        return
    props = plain(args.props)
    if props.get("packageType") == "Image":
        return  # the image decides its architecture
    architectures = props.get("architectures")
    if architectures is UNKNOWN:
        return
    if not isinstance(architectures, list) or "arm64" not in architectures:
        report_violation(
            "The function runs on x86_64: arm64 (Graviton) is about 20% cheaper per GB-second; set "
            'architectures to ["arm64"] unless a dependency needs x86.'
        )


lambda_arm64 = ResourceValidationPolicy(
    name="cost-lambda-arm64",
    description="Lambda functions run on arm64 (Graviton).",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_arm64,
)

POLICIES = [lambda_concurrency_cap, lambda_arm64]
