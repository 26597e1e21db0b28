"""Lambda (requests, duration, provisioned concurrency) prices."""

from __future__ import annotations

from ..stack import Res
from ..values import number
from .engine import SECONDS_PER_HOUR, Ctx, Line, prices


def _architecture(res: Res) -> str:
    archs = res.get("architectures")
    if isinstance(archs, list) and archs and archs[0] == "arm64":
        return "arm64"
    return "x86_64"


def _memory_mb(res: Res) -> float:
    memory = number(res.get("memorySize"))
    return memory if isinstance(memory, float) else 128.0


FUNCTION = "aws:lambda/function:Function"
PROVISIONED = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"


def _provisioned_functions(ctx: Ctx) -> set[str]:
    """URNs of the functions with a provisioned concurrency config (found once per stack)."""

    def build() -> set[str]:
        return {
            function.urn
            for config in ctx.stack.of_type(PROVISIONED)
            for function in ctx.stack.referenced(
                config, "functionName", config.get("functionName"), [FUNCTION], keys=("name", "arn", "id")
            )
        }

    return ctx.stack.memo("provisioned-functions", build)


@prices(
    FUNCTION,
    usage={"monthly_requests": "invocations a month", "request_duration_ms": "average duration of an invocation in ms"},
)
def _lambda(res: Res, ctx: Ctx, line: Line) -> None:
    requests = ctx.declared(res, "monthly_requests")
    duration_ms = ctx.declared(res, "request_duration_ms")
    memory = _memory_mb(res)
    arch = _architecture(res)
    line.usage(
        "requests",
        None if requests is None else requests / 1e6,
        "million requests",
        ctx.price(line, "lambda.requests.million"),
        "monthly_requests",
    )
    # Invocations served by provisioned environments bill a lower duration price
    # (https://aws.amazon.com/lambda/pricing/, "Provisioned Concurrency Pricing"); all of them are assumed
    # to fit the provisioned environments.
    provisioned = res.urn in _provisioned_functions(ctx)
    key = f"lambda.provisionedDuration.{arch}.gbSecond" if provisioned else f"lambda.duration.{arch}.gbSecond"
    gb_seconds = None if requests is None or duration_ms is None else requests * duration_ms / 1000 * memory / 1024
    line.usage(
        f"duration at {memory:g} MB {arch}{' on provisioned concurrency' if provisioned else ''}",
        gb_seconds,
        "GB-seconds",
        ctx.price(line, key),
        "request_duration_ms" if requests is not None else "monthly_requests",
    )


@prices(PROVISIONED)
def _provisioned_concurrency(res: Res, ctx: Ctx, line: Line) -> None:
    count = number(res.get("provisionedConcurrentExecutions"))
    if not isinstance(count, float):
        line.unpriced("not priced: provisioned concurrency not known")
        return
    functions = ctx.stack.referenced(
        res, "functionName", res.get("functionName"), [FUNCTION], keys=("name", "arn", "id")
    )
    if functions:
        memory, arch = _memory_mb(functions[0]), _architecture(functions[0])
    else:
        memory, arch = 128.0, "x86_64"
        line.note("function not found: 128 MB x86_64 assumed")
    line.fixed(
        f"{count:g} provisioned environments x {memory:g} MB {arch}",
        count * memory / 1024 * ctx.hours * SECONDS_PER_HOUR,
        "GB-seconds",
        ctx.price(line, f"lambda.provisioned.{arch}.gbSecond"),
    )
