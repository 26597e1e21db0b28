"""The cost change between two previews: a pure function over two JSON reports (``python -m preview
--format json``), like Infracost's base -> head diff in a pull request.

It reads only the documents' ``cost`` objects (the cost pack's estimate), never the pack: the
preview's ``--compare-to`` and the pull-request comment import it without importing any rule.
Resources are matched by URN; within a resource, components by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

__all__ = ["CostDiffError", "cost_diff", "render_text"]

FIGURES = ("fixed", "usage", "total")
EPSILON = 0.005  # half a cent: amounts are rounded to cents in the reports


class CostDiffError(ValueError):
    pass


def _cost(document: Optional[Mapping[str, Any]], side: str) -> Mapping[str, Any]:
    """The cost object of a preview report (or a cost object itself); an empty one when there is none."""
    if document is None:
        return {}
    if not isinstance(document, Mapping):
        raise CostDiffError(f"{side}: expected a preview JSON report, got {type(document).__name__}")
    cost = document.get("cost", document)  # a report always has "cost" (maybe null)
    if cost is None:
        return {}
    if not isinstance(cost, Mapping) or not isinstance(cost.get("resources", []), list):
        raise CostDiffError(f"{side}: its cost object has no resources list")
    return cost


def _money(value: Any) -> float:
    try:
        return round(float(value or 0.0), 2)
    except (TypeError, ValueError):
        raise CostDiffError(f"not an amount: {value!r}") from None


def _components(resource: Mapping[str, Any]) -> dict[str, float]:
    found: dict[str, float] = {}
    for component in resource.get("components") or []:
        found[str(component.get("name"))] = found.get(str(component.get("name")), 0.0) + _money(
            component.get("monthly")
        )
    return found


def _change(base: Optional[float], head: Optional[float]) -> str:
    return "new" if base is None else "removed" if head is None else "changed"


def _delta(base: Optional[float], head: Optional[float]) -> float:
    return round((head or 0.0) - (base or 0.0), 2)


def cost_diff(base: Optional[Mapping[str, Any]], head: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    """Per resource and in total, what changes from ``base`` to ``head``: new, removed and changed lines
    (unchanged ones are left out), largest change first. Either side may be None (no estimate)."""
    old, new = _cost(base, "base"), _cost(head, "head")
    old_by_urn = {r["urn"]: r for r in old.get("resources", []) if isinstance(r, Mapping) and "urn" in r}
    new_by_urn = {r["urn"]: r for r in new.get("resources", []) if isinstance(r, Mapping) and "urn" in r}
    lines = []
    for urn in sorted(old_by_urn.keys() | new_by_urn.keys()):
        before, after = old_by_urn.get(urn), new_by_urn.get(urn)
        base_monthly = None if before is None else _money(before.get("monthly"))
        head_monthly = None if after is None else _money(after.get("monthly"))
        old_parts = _components(before) if before else {}
        new_parts = _components(after) if after else {}
        parts = [
            {
                "name": name,
                "change": _change(old_parts.get(name), new_parts.get(name)),
                "base": old_parts.get(name),
                "head": new_parts.get(name),
                "delta": _delta(old_parts.get(name), new_parts.get(name)),
            }
            for name in sorted(old_parts.keys() | new_parts.keys())
            if name not in old_parts or name not in new_parts or abs(new_parts[name] - old_parts[name]) >= EPSILON
        ]
        delta = _delta(base_monthly, head_monthly)
        if before is not None and after is not None and abs(delta) < EPSILON and not parts:
            continue
        either = after or before or {}
        lines.append(
            {
                "urn": urn,
                "name": either.get("name") or urn.rsplit("::", 1)[-1],
                "type": either.get("type"),
                "change": _change(base_monthly, head_monthly),
                "base": base_monthly,
                "head": head_monthly,
                "delta": delta,
                "components": parts,
            }
        )
    lines.sort(key=lambda line: (-abs(line["delta"]), line["urn"]))
    totals = {
        side: {figure: _money(cost.get(figure)) for figure in FIGURES} for side, cost in (("base", old), ("head", new))
    }
    return {
        "currency": new.get("currency") or old.get("currency") or "USD",
        "base": totals["base"],
        "head": totals["head"],
        "delta": {figure: _delta(totals["base"][figure], totals["head"][figure]) for figure in FIGURES},
        "pricesAsOf": {"base": old.get("pricesAsOf"), "head": new.get("pricesAsOf")},
        "counts": {kind: sum(1 for line in lines if line["change"] == kind) for kind in ("new", "removed", "changed")},
        "resources": lines,
    }


def render_text(diff: Mapping[str, Any], *, top: int = 10) -> list[str]:
    """A few lines for a person: the total change, then the largest resource changes."""
    c = diff["currency"]
    delta, base, head = diff["delta"], diff["base"], diff["head"]
    out = [
        f"Monthly cost {base['total']:,.2f} -> {head['total']:,.2f} {c} ({delta['total']:+,.2f}; "
        f"fixed {delta['fixed']:+,.2f}, usage {delta['usage']:+,.2f}); "
        + ", ".join(f"{n} {kind}" for kind, n in diff["counts"].items())
    ]
    for line in diff["resources"][:top]:
        out.append(f"  {line['delta']:+10,.2f}  {line['change']:<8} {line['name']} ({line['type']})")
    if len(diff["resources"]) > top:
        out.append(f"  ... and {len(diff['resources']) - top} more")
    return out
