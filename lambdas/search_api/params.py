"""Query-string parameters of the listing search, validated all at once.

Every problem is collected and reported together (parameter, value given, what is expected), so a
client fixes its request in one round trip. List parameters accept repetition (`amenity=pool&amenity=gym`)
and commas (`amenity=pool,gym`), which is how HTTP APIs fold repeated keys.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

FURNISHINGS = ("furnished", "unfurnished", "partially_furnished")
SORTS = ("relevance", "price_asc", "price_desc", "available_date", "newest", "distance")
US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
    ]
)
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
MAX_LIST_VALUES = 20
MAX_TEXT_CHARS = 200
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_RESULT_WINDOW = 10_000  # index.max_result_window in the index template
DEFAULT_RADIUS_KM = 10.0
MAX_RADIUS_KM = 500.0
MAX_PRICE = Decimal("100000")

LIST_PARAMETERS = ("community", "amenity", "feature", "furnishing", "bedrooms")
SINGLE_PARAMETERS = (
    "q", "city", "state", "lat", "lon", "radius_km", "lease_term", "min_price", "max_price",
    "available_from", "available_to", "has_promotion", "sort", "page", "page_size",
)  # fmt: skip


@dataclass(frozen=True)
class GeoFilter:
    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class SearchRequest:
    text: str | None = None
    communities: tuple[str, ...] = ()
    city: str | None = None
    state: str | None = None
    geo: GeoFilter | None = None
    amenities: tuple[str, ...] = ()  # all required
    features: tuple[str, ...] = ()  # all required
    lease_term: int | None = None  # months
    furnishings: tuple[str, ...] = ()  # any of
    bedrooms: tuple[int, ...] = ()  # any of; 0 is a studio
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    available_from: dt.date | None = None
    available_to: dt.date | None = None
    has_promotion: bool | None = None
    sort: str = "available_date"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


class InvalidSearch(Exception):
    def __init__(self, problems: list[dict[str, Any]]):
        super().__init__(f"{len(problems)} invalid search parameter(s)")
        self.problems = problems


@dataclass
class _Collector:
    params: Mapping[str, list[str]]
    problems: list[dict[str, Any]] = field(default_factory=list)

    def problem(self, parameter: str, value: Any, expected: str) -> None:
        self.problems.append({"parameter": parameter, "value": value, "expected": expected})

    def single(self, name: str) -> str | None:
        values = self.params.get(name) or []
        if len(values) > 1:
            self.problem(name, values, "a single value")
            return None
        return values[0].strip() if values else None

    def many(self, name: str) -> list[str]:
        values = [part.strip() for raw in self.params.get(name) or [] for part in raw.split(",") if part.strip()]
        if len(values) > MAX_LIST_VALUES:
            self.problem(name, values, f"at most {MAX_LIST_VALUES} values")
            return []
        return list(dict.fromkeys(values))  # drop repeats, keep order

    def convert(self, name: str, raw: str | None, parse: Callable[[str], Any], expected: str) -> Any:
        if raw is None or raw == "":
            return None
        try:
            return parse(raw)
        except (ValueError, InvalidOperation):
            self.problem(name, raw, expected)
            return None


def _ranged(kind: Callable[[str], Any], low: Any, high: Any) -> Callable[[str], Any]:
    def parse(raw: str) -> Any:
        value = kind(raw)
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(raw)
        if isinstance(value, float) and value != value:  # NaN
            raise ValueError(raw)
        if not low <= value <= high:
            raise ValueError(raw)
        return value

    return parse


def _boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ValueError(raw)


def parse_search(params: Mapping[str, list[str]] | None) -> SearchRequest:
    """Validate query-string parameters (name -> every value given) into a SearchRequest."""
    params = params or {}
    c = _Collector(params)

    for name in sorted(set(params) - set(LIST_PARAMETERS) - set(SINGLE_PARAMETERS)):
        c.problem(name, params[name], "a known parameter: " + ", ".join(sorted(LIST_PARAMETERS + SINGLE_PARAMETERS)))

    text = c.single("q")
    if text is not None and len(text) > MAX_TEXT_CHARS:
        c.problem("q", text, f"at most {MAX_TEXT_CHARS} characters")
        text = None

    def slugs(name: str) -> tuple[str, ...]:
        values = c.many(name)
        bad = [v for v in values if not SLUG.fullmatch(v)]
        if bad:
            c.problem(name, bad, "lower-case identifiers (letters, digits, '-' or '_', at most 64 characters)")
        return tuple(v for v in values if SLUG.fullmatch(v))

    communities, amenities, features = slugs("community"), slugs("amenity"), slugs("feature")

    furnishings = c.many("furnishing")
    if any(f not in FURNISHINGS for f in furnishings):
        c.problem("furnishing", furnishings, "any of " + ", ".join(FURNISHINGS))
        furnishings = []

    bedrooms: list[int] = []
    for raw in c.many("bedrooms"):
        value = c.convert("bedrooms", raw, _ranged(int, 0, 6), "whole numbers from 0 (studio) to 6")
        if value is not None:
            bedrooms.append(value)

    city = c.single("city")
    if city is not None and not 1 <= len(city) <= 100:
        c.problem("city", city, "1 to 100 characters")
        city = None
    state = c.single("state")
    if state is not None:
        if state.upper() in US_STATES:
            state = state.upper()
        else:
            c.problem("state", state, "a two-letter US state code (DC included)")
            state = None

    lat = c.convert("lat", c.single("lat"), _ranged(float, -90.0, 90.0), "a latitude from -90 to 90")
    lon = c.convert("lon", c.single("lon"), _ranged(float, -180.0, 180.0), "a longitude from -180 to 180")
    radius_raw = c.single("radius_km")
    radius = c.convert(
        "radius_km", radius_raw, _ranged(float, 0.1, MAX_RADIUS_KM), f"a distance in km from 0.1 to {MAX_RADIUS_KM:g}"
    )
    geo = None
    has_lat, has_lon = "lat" in params, "lon" in params
    if has_lat != has_lon:
        c.problem("lon" if has_lat else "lat", None, "lat and lon given together")
    elif radius_raw is not None and not has_lat:
        c.problem("radius_km", radius_raw, "lat and lon alongside radius_km")
    elif lat is not None and lon is not None:
        geo = GeoFilter(lat, lon, radius if radius is not None else DEFAULT_RADIUS_KM)

    lease_term = c.convert(
        "lease_term", c.single("lease_term"), _ranged(int, 1, 24), "a lease length in months from 1 to 24"
    )
    price = _ranged(Decimal, Decimal(0), MAX_PRICE)
    price_expected = f"a monthly rent from 0 to {MAX_PRICE}"
    min_price = c.convert("min_price", c.single("min_price"), price, price_expected)
    max_price = c.convert("max_price", c.single("max_price"), price, price_expected)
    if min_price is not None and max_price is not None and min_price > max_price:
        c.problem("min_price", str(min_price), f"no more than max_price ({max_price})")

    date_expected = "a date as YYYY-MM-DD"
    available_from = c.convert("available_from", c.single("available_from"), dt.date.fromisoformat, date_expected)
    available_to = c.convert("available_to", c.single("available_to"), dt.date.fromisoformat, date_expected)
    if available_from and available_to and available_from > available_to:
        c.problem(
            "available_from", available_from.isoformat(), f"on or before available_to ({available_to.isoformat()})"
        )

    has_promotion = c.convert("has_promotion", c.single("has_promotion"), _boolean, "true or false")

    sort = c.single("sort")
    if sort is None:
        sort = "relevance" if text else "distance" if geo else "available_date"
    elif sort not in SORTS:
        c.problem("sort", sort, "one of " + ", ".join(SORTS))
        sort = "available_date"
    elif sort == "distance" and geo is None and "lat" not in params:
        c.problem("sort", sort, "lat and lon to sort by distance")
    elif sort == "relevance" and not text:
        c.problem("sort", sort, "q (text) to sort by relevance")

    page = c.convert("page", c.single("page"), _ranged(int, 1, MAX_RESULT_WINDOW), "a page number from 1") or 1
    page_size = (
        c.convert("page_size", c.single("page_size"), _ranged(int, 1, MAX_PAGE_SIZE), f"from 1 to {MAX_PAGE_SIZE}")
        or DEFAULT_PAGE_SIZE
    )
    if page * page_size > MAX_RESULT_WINDOW:
        c.problem("page", page, f"page x page_size within the first {MAX_RESULT_WINDOW} results; narrow the search")

    if c.problems:
        raise InvalidSearch(c.problems)
    return SearchRequest(
        text=text or None,
        communities=communities,
        city=city,
        state=state,
        geo=geo,
        amenities=amenities,
        features=features,
        lease_term=lease_term,
        furnishings=tuple(furnishings),
        bedrooms=tuple(dict.fromkeys(bedrooms)),
        min_price=min_price,
        max_price=max_price,
        available_from=available_from,
        available_to=available_to,
        has_promotion=has_promotion,
        sort=sort,
        page=page,
        page_size=page_size,
    )
