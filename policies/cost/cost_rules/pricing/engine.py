"""The estimate engine: a price per resource from its properties, the price table and the
usage assumptions; totals per component, per Region and per stack.

Every priced resource gets three figures:

* ``monthly``: the expected cost under the usage assumptions;
* ``low``: the floor: what the resource costs idle (usage at zero, capacity at its minimum, the
  cheapest option an unknown input allows);
* ``high``: the ceiling the inputs allow (capacity at its maximum, a GPU instance that is never
  stopped, the dearest option an unknown input allows), with usage as assumed.

A price that depends on something unknown at preview is a range with a note, never a silent zero.
A resource type that costs money but has no price here is listed with a note ("not priced").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import prices as price_table
from ..assumptions import ASSUMPTIONS
from ..config import defaults
from ..stack import Res, StackIndex
from ..values import UNKNOWN, number

SECONDS_PER_MONTH_FACTOR = 3600  # seconds per hour; months are table["hoursPerMonth"] hours


@dataclass
class Line:
    res: Res
    monthly: float = 0.0
    low: float = 0.0
    high: float = 0.0
    notes: list[str] = field(default_factory=list)
    priced: bool = True
    fallback_region: bool = False

    def add(self, monthly: float, low: float | None = None, high: float | None = None,
            note: str | None = None) -> None:
        self.monthly += monthly
        self.low += monthly if low is None else low
        self.high += monthly if high is None else high
        if note:
            self.notes.append(note)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def unpriced(self, why: str) -> None:
        self.priced = False
        self.notes.append(why)

    def to_json(self) -> dict[str, Any]:
        return {"urn": self.res.urn, "type": self.res.type, "monthly": _r(self.monthly), "low": _r(self.low),
                "high": _r(self.high), "note": "; ".join(self.notes)}


@dataclass
class Budget:
    limit: float
    urn: str
    name: str


@dataclass
class Estimate:
    lines: list[Line]
    budget: Budget | None
    currency: str = "USD"
    assumptions: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(line.monthly for line in self.lines)

    @property
    def low(self) -> float:
        return sum(line.low for line in self.lines)

    @property
    def high(self) -> float:
        return sum(line.high for line in self.lines)

    def by(self, attribute: str) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[getattr(line.res, attribute) or "?"] += line.monthly
        return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))

    @property
    def unpriced(self) -> list[Line]:
        return [line for line in self.lines if not line.priced]

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "total": _r(self.total),
            "low": _r(self.low),
            "high": _r(self.high),
            "budget": _r(self.budget.limit) if self.budget else None,
            "byComponent": {key: _r(value) for key, value in self.by("component").items()},
            "byRegion": {key: _r(value) for key, value in self.by("region").items()},
            "resources": [line.to_json() for line in sorted(self.lines, key=lambda l: (-l.monthly, l.res.urn))],
        }


def _r(value: float) -> float:
    return round(value + 0.0, 2)


class Ctx:
    """What a pricer needs: the stack, the price table and the usage assumptions."""

    def __init__(self, stack: StackIndex, table: price_table.PriceTable, assumptions: Mapping[str, Any]):
        self.stack = stack
        self.table = table
        self.assumptions = assumptions
        self.hours = table.hours_per_month
        self._overrides = assumptions.get("resourceUsage") or {}

    def usage(self, res: Res, key: str) -> float:
        for ref in (res.name, res.urn):
            override = self._overrides.get(ref)
            if isinstance(override, Mapping) and key in override:
                return float(override[key])
        return float(self.assumptions[key])

    def price(self, line: Line, key: str) -> float:
        found = self.table.price(line.res.region or self.table.fallback_region, key)
        if found.fallback:
            line.fallback_region = True
        return found.usd

    def lookup(self, line: Line, key: str, *path: str) -> float | None:
        found = self.table.lookup(line.res.region or self.table.fallback_region, key, *path)
        if found is None:
            return None
        if found.fallback:
            line.fallback_region = True
        return found.usd


Pricer = Callable[[Res, Ctx, Line], None]
PRICERS: dict[str, Pricer] = {}


def prices(*types: str) -> Callable[[Pricer], Pricer]:
    def register(fn: Pricer) -> Pricer:
        for typ in types:
            PRICERS[typ] = fn
        return fn
    return register


def estimate(resources: list[Any], config: Mapping[str, Any] | None = None,
             table: price_table.PriceTable | None = None) -> Estimate:
    """The estimate for a stack: ``resources`` are the engine's PolicyResources (or Res)."""
    assumptions = {**defaults(ASSUMPTIONS), **(config or {})}
    table = table or price_table.load()
    stack = StackIndex(resources, default_region=str(assumptions["defaultRegion"]))
    ctx = Ctx(stack, table, assumptions)
    lines: list[Line] = []
    for res in stack.resources:
        if not res.is_aws:
            continue
        pricer = PRICERS.get(res.type)
        if pricer is None:
            if table.free_reason(res.type) is not None:
                continue
            line = Line(res)
            line.unpriced(f"not priced: {res.type} is not in the price table")
            lines.append(line)
            continue
        line = Line(res)
        try:
            pricer(res, ctx, line)
        except (KeyError, TypeError, ValueError) as err:
            line.unpriced(f"not priced: {type(err).__name__}: {err}")
        if line.fallback_region:
            margin = float(assumptions["regionFallbackMargin"])
            line.high *= 1 + margin
            line.note(f"no prices for {res.region} in the table: {table.fallback_region} prices used, "
                      f"high bound +{margin:.0%}")
        if res.region_source == "default":
            line.note(f"Region unknown: {res.region} assumed")
        lines.append(line)
    return Estimate(lines=lines, budget=find_budget(stack), currency=table.currency, assumptions=assumptions)


def find_budget(stack: StackIndex) -> Budget | None:
    """The stack's monthly USD cost budget (the smallest, if there are several)."""
    found: list[Budget] = []
    for res in stack.of_type("aws:budgets/budget:Budget"):
        if res.get("budgetType", default="COST") != "COST" or res.get("timeUnit", default="MONTHLY") != "MONTHLY":
            continue
        if res.get("limitUnit", default="USD") not in ("USD", UNKNOWN):
            continue
        limit = number(res.get("limitAmount"))
        if isinstance(limit, float):
            found.append(Budget(limit, res.urn, res.name))
    return min(found, key=lambda b: b.limit) if found else None


def money(value: float) -> str:
    return f"{value:,.2f}"

