"""Lambda (requests, duration, provisioned concurrency) prices."""

from __future__ import annotations

from ..stack import Res
from ..values import number
from .engine import SECONDS_PER_MONTH_FACTOR, Ctx, Line, money, prices


def _architecture(res: Res) -> str:
    archs = res.get("architectures")
    if isinstance(archs, list) and archs and archs[0] == "arm64":
        return "arm64"
    return "x86_64"


def _memory_mb(res: Res) -> float:
    memory = number(res.get("memorySize"))
    return memory if isinstance(memory, float) else 128.0


@prices("aws:lambda/function:Function")
def _lambda(res: Res, ctx: Ctx, line: Line) -> None:
    requests = ctx.usage(res, "lambdaRequestsPerMonth")
    duration_ms = ctx.usage(res, "lambdaAverageDurationMs")
    memory = _memory_mb(res)
    arch = _architecture(res)
    request_cost = requests / 1e6 * ctx.price(line, "lambda.requests.million")
    gb_seconds = requests * duration_ms / 1000 * memory / 1024
    duration_cost = gb_seconds * ctx.price(line, f"lambda.duration.{arch}.gbSecond")
    line.add(request_cost + duration_cost, low=0,
             note=f"{requests:,.0f} requests x {duration_ms:g} ms at {memory:g} MB {arch} "
                  f"({money(request_cost)} requests + {money(duration_cost)} duration; free tier not applied)")


@prices("aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")
def _provisioned_concurrency(res: Res, ctx: Ctx, line: Line) -> None:
    count = number(res.get("provisionedConcurrentExecutions"))
    if not isinstance(count, float):
        line.unpriced("not priced: provisioned concurrency not known")
        return
    functions = ctx.stack.referenced(res, "functionName", res.get("functionName"), ["aws:lambda/function:Function"],
                                     keys=("name", "arn", "id"))
    if functions:
        memory, arch, known = _memory_mb(functions[0]), _architecture(functions[0]), ""
    else:
        memory, arch, known = 128.0, "x86_64", " (function not found: 128 MB x86_64 assumed)"
    gb_seconds = count * memory / 1024 * ctx.hours * SECONDS_PER_MONTH_FACTOR
    cost = gb_seconds * ctx.price(line, f"lambda.provisioned.{arch}.gbSecond")
    line.add(cost, note=f"{count:g} provisioned environments x {memory:g} MB {arch} all month{known}")
