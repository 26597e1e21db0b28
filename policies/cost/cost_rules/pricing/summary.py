"""The readable summary of an estimate (the diagnostic's message), with its JSON on one line for the
preview and CI (``COST_ESTIMATE_JSON {...}``)."""

from __future__ import annotations

import json

from .engine import Estimate, money

JSON_MARKER = "COST_ESTIMATE_JSON "


def summary(est: Estimate, *, top: int = 8, listed: int = 6) -> str:
    c = est.currency
    lines = [
        f"Estimated monthly cost: {money(est.total)} {c} = fixed {money(est.fixed)} (billed with no traffic) "
        f"+ usage {money(est.usage)} ({'declared in ' + est.usage_source if est.usage_source else 'no usage declared'}); "
        f"range {money(est.low)} (idle floor) to {money(est.high)} (ceiling the inputs allow). "
        f"Prices as of {est.prices_as_of}.",
        "Budget: " + (est.verdict() or "no monthly budget declared in the stack") + ".",
    ]
    components = est.by("component")
    if components:
        lines.append("By component: " + ", ".join(f"{name} {money(value)}" for name, value in components.items()))
    regions = est.by("region")
    if regions:
        lines.append("By Region: " + ", ".join(f"{name} {money(value)}" for name, value in regions.items()))
    biggest = sorted(est.lines, key=lambda line: -line.monthly)[:top]
    if biggest:
        lines.append("Largest:")
        lines += [
            f"  {money(line.monthly):>10}  {line.res.name} ({line.res.type}): "
            + "; ".join([f"{x.name} {money(x.monthly)}" for x in line.components] + line.notes)
            for line in biggest
        ]
    waiting = est.depending_on_usage
    if waiting:
        shown = ", ".join(line.res.name for line in waiting[:listed]) + (", ..." if len(waiting) > listed else "")
        lines.append(f"Depends on usage ({len(waiting)} resources priced at 0 for undeclared usage): {shown}")
    if est.unpriced:
        lines.append(
            f"Not priced ({len(est.unpriced)}): " + ", ".join(sorted({line.res.type for line in est.unpriced}))
        )
    lines.append("Not estimated: " + "; ".join(est.excluded) + ".")
    lines.append("Assumptions: " + "; ".join(est.assumptions) + ".")
    lines.append(JSON_MARKER + json.dumps(est.to_json(), separators=(",", ":"), sort_keys=False))
    return "\n".join(lines)
