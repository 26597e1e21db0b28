"""The readable summary of an estimate, with its JSON on one line for the preview and CI."""

from __future__ import annotations

import json

from .engine import Estimate, money

JSON_MARKER = "COST_ESTIMATE_JSON "


def summary(est: Estimate, *, top: int = 8) -> str:
    lines = []
    head = (f"Estimated monthly cost: {money(est.total)} {est.currency} "
            f"(range {money(est.low)} - {money(est.high)})")
    if est.budget:
        head += f" against a budget of {money(est.budget.limit)} ({est.total / est.budget.limit:.0%})"
    else:
        head += "; no monthly budget declared in the stack"
    lines.append(head + ".")
    components = est.by("component")
    if components:
        lines.append("By component: " + ", ".join(f"{name} {money(value)}" for name, value in components.items()))
    regions = est.by("region")
    if regions:
        lines.append("By Region: " + ", ".join(f"{name} {money(value)}" for name, value in regions.items()))
    biggest = sorted(est.lines, key=lambda l: -l.monthly)[:top]
    if biggest:
        lines.append("Largest:")
        lines += [f"  {money(l.monthly):>10}  {l.res.name} ({l.res.type}): {'; '.join(l.notes)}" for l in biggest]
    if est.unpriced:
        kinds = sorted({l.res.type for l in est.unpriced})
        lines.append(f"Not priced ({len(est.unpriced)}): " + ", ".join(kinds))
    a = est.assumptions
    lines.append(
        f"Assumptions: GPU workstation {a['workstationHoursPerMonth']:g} h/month, other instances "
        f"{a['instanceHoursPerMonth']:g} h, Lambda {a['lambdaRequestsPerMonth']:,.0f} requests x "
        f"{a['lambdaAverageDurationMs']:g} ms, {a['eventsPerMonth']:,.0f} events per bus, "
        f"{a['apiRequestsPerMonth']:,.0f} API requests per stage, {a['logIngestGbPerMonth']:g} GB logs per group, "
        f"Aurora {a['auroraAverageAcu']:g} ACU average; override with --policy-pack-config.")
    lines.append(JSON_MARKER + json.dumps(est.to_json(), separators=(",", ":"), sort_keys=False))
    return "\n".join(lines)
