"""The estimate engine: every AWS resource priced as cost components (quantity x unit price), each
either ``fixed`` (billed with no traffic: capacity, hours, storage at rest) or ``usage`` (from the
declared usage, see ``cost_rules.usage``); totals per component, per Region and per stack.

Nothing is invented: a usage charge with no declared value is 0 and listed as "depends on usage".
Besides ``monthly`` every resource has ``low`` (idle: usage at zero, capacity at its minimum, the
cheapest option an unknown input allows) and ``high`` (the ceiling the inputs allow: capacity at its
maximum, a GPU instance never stopped, the dearest option an unknown input allows; usage as declared).
A billable type with no price here, or a charge not estimated, is listed in ``notPriced``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .. import prices as price_table
from .. import usage as declared_usage
from ..assumptions import ASSUMPTIONS
from ..config import defaults
from ..stack import Res, StackIndex
from ..values import UNKNOWN, number

SECONDS_PER_HOUR = 3600
FIXED, USAGE = "fixed", "usage"

# Charges no line estimates, whatever the stack: said beside every total and budget verdict.
ALWAYS_EXCLUDED = [
    "free tiers, Savings Plans, Reserved Instances and volume discounts (list prices, first tier)",
    "backups and snapshots beyond the free retention unless declared (snapshot_storage_gb)",
    "data transfer unless declared on the sending resource (monthly_internet_egress_gb, "
    "monthly_inter_region_gb, monthly_cross_az_gb)",
    "taxes and AWS Support",
]


@dataclass
class Component:
    name: str
    kind: str  # FIXED or USAGE
    quantity: float
    unit: str
    unit_price: float
    low: float
    high: float
    usage_key: str | None = None  # the declared-usage key a usage component reads

    @property
    def monthly(self) -> float:
        return self.quantity * self.unit_price

    def to_json(self) -> dict[str, Any]:
        out = {
            "name": self.name,
            "kind": self.kind,
            "quantity": _r(self.quantity, 4),
            "unit": self.unit,
            "unitPrice": self.unit_price,
            "monthly": _r(self.monthly),
        }
        if self.usage_key:
            out["usageKey"] = self.usage_key
        return out


@dataclass
class Line:
    res: Res
    components: list[Component] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    depends_on_usage: list[str] = field(default_factory=list)  # "<charge> (<usage key>)"
    not_estimated: list[str] = field(default_factory=list)  # charges of this resource left out
    priced: bool = True
    fallback_region: bool = False
    high_margin: float = 0.0

    def fixed(
        self,
        name: str,
        quantity: float,
        unit: str,
        unit_price: float,
        *,
        low: float | None = None,
        high: float | None = None,
    ) -> Component:
        """A charge billed whatever the traffic; ``low``/``high``: monthly bounds when the inputs allow a range."""
        monthly = quantity * unit_price
        component = Component(
            name, FIXED, quantity, unit, unit_price, monthly if low is None else low, monthly if high is None else high
        )
        self.components.append(component)
        return component

    def usage(
        self, name: str, quantity: float | None, unit: str, unit_price: float, key: str, *, high: float | None = None
    ) -> Component:
        """A charge from declared usage; undeclared (None) it is 0 and listed as depending on usage."""
        return self._declared(USAGE, name, quantity, unit, unit_price, key, high)

    def stored(self, name: str, quantity: float | None, unit: str, unit_price: float, key: str) -> Component:
        """Storage at rest from declared usage: billed with no traffic, so counted in ``fixed``."""
        return self._declared(FIXED, name, quantity, unit, unit_price, key, None)

    def _declared(
        self, kind: str, name: str, quantity: float | None, unit: str, unit_price: float, key: str, high: float | None
    ) -> Component:
        if quantity is None:
            self.depends_on_usage.append(f"{name} ({key})")
            quantity = 0.0
        monthly = quantity * unit_price
        component = Component(
            name,
            kind,
            quantity,
            unit,
            unit_price,
            0.0 if kind == USAGE else monthly,
            monthly if high is None else high,
            key,
        )
        self.components.append(component)
        return component

    def note(self, text: str) -> None:
        self.notes.append(text)

    def exclude(self, charge: str) -> None:
        self.not_estimated.append(charge)

    def unpriced(self, why: str) -> None:
        self.priced = False
        self.notes.append(why)

    # Totals are read only once the line is priced (sorting, grouping, JSON): worked out once.
    @cached_property
    def fixed_total(self) -> float:
        return sum(c.monthly for c in self.components if c.kind == FIXED)

    @cached_property
    def usage_total(self) -> float:
        return sum(c.monthly for c in self.components if c.kind == USAGE)

    @cached_property
    def monthly(self) -> float:
        return self.fixed_total + self.usage_total

    @cached_property
    def low(self) -> float:
        return sum(c.low for c in self.components)

    @cached_property
    def high(self) -> float:
        return sum(c.high for c in self.components) * (1 + self.high_margin)

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.res.urn,
            "name": self.res.name,
            "type": self.res.type,
            "region": self.res.region,
            "component": self.res.component,
            "fixed": _r(self.fixed_total),
            "usage": _r(self.usage_total),
            "monthly": _r(self.monthly),
            "low": _r(self.low),
            "high": _r(self.high),
            "components": [c.to_json() for c in self.components],
            "dependsOnUsage": list(self.depends_on_usage),
            "note": "; ".join(self.notes),
        }


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
    prices_as_of: str = ""
    usage_source: str | None = None
    assumptions: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=lambda: list(ALWAYS_EXCLUDED))

    @property
    def fixed(self) -> float:
        return sum(line.fixed_total for line in self.lines)

    @property
    def usage(self) -> float:
        return sum(line.usage_total for line in self.lines)

    @property
    def total(self) -> float:
        return self.fixed + self.usage

    @property
    def low(self) -> float:
        return sum(line.low for line in self.lines)

    @property
    def high(self) -> float:
        return sum(line.high for line in self.lines)

    def by(self, attribute: str, figure: str = "monthly") -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[getattr(line.res, attribute) or "?"] += getattr(line, figure)
        return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))

    @property
    def unpriced(self) -> list[Line]:
        return [line for line in self.lines if not line.priced]

    @property
    def depending_on_usage(self) -> list[Line]:
        return [line for line in self.lines if line.depends_on_usage]

    def not_priced(self) -> list[dict[str, Any]]:
        """Resources and charges not in the estimate: each unpriced resource, then each charge left out
        with the resources it concerns (none: no line estimates it)."""
        out: list[dict[str, Any]] = [
            {
                "charge": "the resource",
                "urn": line.res.urn,
                "name": line.res.name,
                "type": line.res.type,
                "reason": "; ".join(n for n in line.notes if "not priced" in n),
            }
            for line in self.lines
            if not line.priced
        ]
        by_charge: dict[str, list[str]] = defaultdict(list)
        for line in self.lines:
            for charge in line.not_estimated:
                by_charge[charge].append(line.res.name)
        out += [{"charge": charge, "resources": names} for charge, names in sorted(by_charge.items())]
        out += [{"charge": charge, "resources": []} for charge in self.excluded]
        return out

    def verdict(self, basis: str = "total", budget: Budget | None = None) -> str | None:
        """The budget verdict, saying what the compared figure leaves out."""
        budget = budget or self.budget
        if budget is None:
            return None
        figure = self.high if basis == "high" else self.total
        state = "within" if figure <= budget.limit else "OVER"
        left_out = [f"{len(self.unpriced)} resource(s) not priced"] if self.unpriced else []
        if self.depending_on_usage:
            left_out.append(f"usage not declared on {len(self.depending_on_usage)} resource(s)")
        left_out.append("the charges listed under not priced")
        return (
            f"{state} the budget of {money(budget.limit)} {self.currency}: {basis} "
            f"{money(figure)} ({figure / budget.limit:.0%}); excludes " + ", ".join(left_out)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "pricesAsOf": self.prices_as_of,
            "usageSource": self.usage_source,
            "fixed": _r(self.fixed),
            "usage": _r(self.usage),
            "total": _r(self.total),
            "low": _r(self.low),
            "high": _r(self.high),
            "budget": _r(self.budget.limit) if self.budget else None,
            "budgetVerdict": self.verdict(),
            "byComponent": {key: _r(value) for key, value in self.by("component").items()},
            "byRegion": {key: _r(value) for key, value in self.by("region").items()},
            "resources": [
                line.to_json() for line in sorted(self.lines, key=lambda line: (-line.monthly, line.res.urn))
            ],
            "dependsOnUsage": [
                {"urn": line.res.urn, "name": line.res.name, "charges": line.depends_on_usage}
                for line in self.depending_on_usage
            ],
            "notPriced": self.not_priced(),
            "assumptions": list(self.assumptions),
        }


def _r(value: float, digits: int = 2) -> float:
    return round(value + 0.0, digits)


class Ctx:
    """What a pricer needs: the stack, the price table, the declared usage and the assumptions."""

    def __init__(
        self,
        stack: StackIndex,
        table: price_table.PriceTable,
        usage: declared_usage.DeclaredUsage,
        assumptions: Mapping[str, Any],
    ):
        self.stack = stack
        self.table = table
        self.declared_usage = usage
        self.assumptions = assumptions
        self.hours = table.hours_per_month

    def declared(self, res: Res, key: str) -> float | None:
        """The declared usage ``key`` of ``res`` (its name, its URN, then its type's default), or None."""
        return self.declared_usage.value(res.type, (res.name, res.urn), key)

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
USAGE_KEYS: dict[str, dict[str, str]] = {}  # resource type -> usage key -> meaning (validates usage files)


def prices(*types: str, usage: Mapping[str, str] | None = None) -> Callable[[Pricer], Pricer]:
    """Registers a pricer for ``types``; ``usage``: the declared-usage keys it reads, with their meaning."""

    def register(fn: Pricer) -> Pricer:
        for typ in types:
            PRICERS[typ] = fn
            USAGE_KEYS[typ] = dict(usage or {})
        return fn

    return register


def estimate(
    resources: list[Any] | StackIndex,
    config: Mapping[str, Any] | None = None,
    table: price_table.PriceTable | None = None,
) -> Estimate:
    """The estimate for a stack: ``resources`` are the engine's PolicyResources (or Res), or an index
    of them already built. Raises ``usage.UsageError`` (a message listing every problem) when the
    declared usage is unreadable."""
    settings = {**defaults(ASSUMPTIONS), **(config or {})}
    table = table or price_table.load()
    usage = declared_usage.load(settings.get("usage"))
    stack = (
        resources
        if isinstance(resources, StackIndex)
        else StackIndex(resources, default_region=str(settings["defaultRegion"]))
    )
    names = {key: res.type for res in stack.resources for key in (res.name, res.urn)}
    problems = declared_usage.unknown_keys(usage, USAGE_KEYS, names)
    if problems:
        raise declared_usage.UsageError(f"usage ({usage.source}): " + "; ".join(problems))
    ctx = Ctx(stack, table, usage, settings)
    lines: list[Line] = []
    for res in stack.resources:
        if not res.is_aws:
            continue
        line = Line(res)
        pricer = PRICERS.get(res.type)
        if pricer is None:
            if table.free_reason(res.type) is None:
                line.unpriced(f"not priced: {res.type} is not in the price table")
        else:
            try:
                pricer(res, ctx, line)
            except (KeyError, TypeError, ValueError) as err:
                line.unpriced(f"not priced: {type(err).__name__}: {err}")
        _data_transfer(res, ctx, line)
        if not line.components and line.priced and pricer is None:
            continue  # a free type with no declared data transfer
        if line.fallback_region:
            line.high_margin = float(settings["regionFallbackMargin"])
            line.note(
                f"no prices for {res.region} in the table: {table.fallback_region} prices used, "
                f"high bound +{line.high_margin:.0%}"
            )
        if res.region_source == "default":
            line.note(f"Region unknown: {res.region} assumed")
        lines.append(line)
    return Estimate(
        lines=lines,
        budget=find_budget(stack),
        currency=table.currency,
        prices_as_of=table.as_of,
        usage_source=usage.source,
        assumptions=_assumptions(settings, table, usage),
    )


# Declared key -> (component, price key, sides billed). Cross-AZ is billed on both sides: 0.01 USD/GB
# out of one AZ and 0.01 in the other (EC2 on-demand pricing, Data Transfer).
_DATA_TRANSFER = (
    ("monthly_internet_egress_gb", "data transfer out to the internet", "dataTransfer.internet.gb", 1),
    ("monthly_inter_region_gb", "data transfer to another Region", "dataTransfer.interRegion.gb", 1),
    ("monthly_cross_az_gb", "data transfer across Availability Zones (out and in)", "dataTransfer.crossAz.gb", 2),
)


def _data_transfer(res: Res, ctx: Ctx, line: Line) -> None:
    """Data transfer declared on the sending resource (any type)."""
    for key, component, price_key, sides in _DATA_TRANSFER:
        gb = ctx.declared(res, key)
        if gb is not None:
            unit = "GB" if sides == 1 else "GB, each side"
            line.usage(component, gb * sides, unit, ctx.price(line, price_key), key)


def _assumptions(
    settings: Mapping[str, Any], table: price_table.PriceTable, usage: declared_usage.DeclaredUsage
) -> list[str]:
    return [
        f"list prices of {table.as_of} ({table.currency}); a month is {table.hours_per_month:g} hours",
        f"usage: {usage.source}"
        if usage.declared
        else "usage: none declared, so every usage-based charge is 0 and listed as depending on usage",
        f"Spot at {float(settings['spotPriceFraction']):.0%} of on-demand (range 10%-100%)",
        f"a root volume from the AMI is {float(settings['defaultRootVolumeGb']):g} GB",
        f"a Region without prices in the table uses {table.fallback_region}'s, high bound "
        f"+{float(settings['regionFallbackMargin']):.0%}",
    ]


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
