"""The bundled price table (``policies/cost/prices.json``): lookups by Region and key.

No live pricing calls: a policy runs inside the engine's analyzer, offline and synchronously (the
Pricing API from a policy fails on the missing event loop, pulumi-policy issue #307), and a stable
table keeps preview and up on the same numbers.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PRICES_FILE = Path(__file__).resolve().parent.parent / "prices.json"


class PriceTableError(ValueError):
    pass


@dataclass(frozen=True)
class Price:
    usd: float
    region: str  # the Region whose price was used
    fallback: bool  # True when the wanted Region is not in the table
    source: str
    as_of: str


class PriceTable:
    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.currency: str = document["currency"]
        self.hours_per_month: float = float(document["hoursPerMonth"])
        self.fallback_region: str = document["fallbackRegion"]
        self.regions: dict[str, dict[str, Any]] = document["prices"]
        self.free: dict[str, dict[str, str]] = document.get("free", {})
        self.specs: dict[str, dict[str, Any]] = document.get("specs", {})
        # The date of the oldest price: the estimate is as current as its stalest figure.
        self.as_of: str = min(
            (item["asOf"] for region in self.regions.values() for item in region.values()), default=""
        )
        if self.fallback_region not in self.regions:
            raise PriceTableError(f"fallbackRegion {self.fallback_region} has no prices")

    def _item(self, region: str, key: str) -> tuple[dict[str, Any], str, bool]:
        prices = self.regions.get(region)
        fallback = prices is None or key not in prices
        used = self.fallback_region if fallback else region
        item = self.regions[used].get(key)
        if item is None:
            raise KeyError(f"no price '{key}' in the price table")
        return item, used, fallback

    def price(self, region: str, key: str) -> Price:
        item, used, fallback = self._item(region, key)
        return Price(float(item["usd"]), used, fallback, item["source"], item["asOf"])

    def lookup(self, region: str, key: str, *path: str) -> Price | None:
        """A price inside a keyed item (``usdByType`` etc.): e.g. lookup(r, "ec2.instance.hour", "g4dn.xlarge", "windows")."""
        item, used, fallback = self._item(region, key)
        table = next(value for name, value in item.items() if name.startswith("usdBy"))
        for step in path:
            if not isinstance(table, dict) or step not in table:
                return None
            table = table[step]
        if not isinstance(table, (int, float)):
            return None
        return Price(float(table), used, fallback, item["source"], item["asOf"])

    def keys_of(self, region: str, key: str) -> list[str]:
        item, _, _ = self._item(region, key)
        table = next(value for name, value in item.items() if name.startswith("usdBy"))
        return sorted(table)

    def free_reason(self, resource_type: str) -> str | None:
        entry = self.free.get(resource_type)
        if entry is None:
            for pattern, candidate in self.free.items():
                if "*" in pattern and fnmatch.fnmatchcase(resource_type, pattern):
                    entry = candidate
                    break
        return entry["reason"] if entry else None


@cache
def load(path: Path = PRICES_FILE) -> PriceTable:
    try:
        return PriceTable(json.loads(path.read_text()))
    except (OSError, json.JSONDecodeError, KeyError) as err:
        raise PriceTableError(f"cannot read the price table {path}: {err}") from err
