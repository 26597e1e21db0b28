"""The search parameters and the query builder on real query strings: exact DSL, every problem listed."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from lambdas.search_api.params import GeoFilter, InvalidSearch, SearchRequest, parse_search
from lambdas.search_api.query import build_query, distance_km, format_results

TEMPLATE = json.loads((Path(__file__).parents[3] / "lambdas/search_bootstrap/index_template.json").read_text())
PROPERTIES = TEMPLATE["template"]["mappings"]["properties"]


def qs(query: str) -> dict[str, list[str]]:
    return parse_qs(query, keep_blank_values=True)


def problems(query: str) -> list[dict]:
    with pytest.raises(InvalidSearch) as caught:
        parse_search(qs(query))
    return caught.value.problems


FULL_QUERY = (
    "q=hoboken+waterfront&community=avb-hoboken&community=avb-jersey-city&state=nj&lat=40.7433&lon=-74.0288&radius_km=5"
    "&amenity=pool,fitness_center&feature=in_unit_laundry&lease_term=12&furnishing=furnished&furnishing=partially_furnished"
    "&bedrooms=1&bedrooms=2&min_price=2500&max_price=4200.50&available_from=2026-03-01&available_to=2026-04-15"
    "&has_promotion=true&sort=price_asc&page=3&page_size=25"
)


def test_full_multi_parameter_search_builds_the_exact_dsl():
    assert build_query(parse_search(qs(FULL_QUERY))) == {
        "query": {
            "bool": {
                "filter": [
                    {"terms": {"community_id": ["avb-hoboken", "avb-jersey-city"]}},
                    {"term": {"state": "NJ"}},
                    {"geo_distance": {"distance": "5km", "location": {"lat": 40.7433, "lon": -74.0288}}},
                    {"term": {"amenities": "pool"}},
                    {"term": {"amenities": "fitness_center"}},
                    {"term": {"features": "in_unit_laundry"}},
                    {"term": {"lease_terms_months": 12}},
                    {"terms": {"furnishing": ["furnished", "partially_furnished"]}},
                    {"terms": {"bedrooms": [1, 2]}},
                    {"range": {"monthly_rent": {"gte": 2500.0, "lte": 4200.5}}},
                    {"range": {"available_date": {"format": "strict_date", "gte": "2026-03-01", "lte": "2026-04-15"}}},
                    {"exists": {"field": "promotion"}},
                ],
                "must": [
                    {
                        "multi_match": {
                            "query": "hoboken waterfront",
                            "fields": ["community_name^3", "city.text^2", "street", "promotion", "description"],
                            "operator": "and",
                        }
                    }
                ],
            }
        },
        "sort": [{"monthly_rent": "asc"}, {"listing_id": "asc"}],
        "from": 50,
        "size": 25,
        "track_total_hits": True,
        "_source": {
            "includes": [
                "listing_id",
                "community_id",
                "community_name",
                "unit_number",
                "street",
                "city",
                "state",
                "postal_code",
                "location",
                "bedrooms",
                "bathrooms",
                "square_feet",
                "monthly_rent",
                "lease_terms_months",
                "furnishing",
                "amenities",
                "features",
                "promotion",
                "available_date",
            ]
        },
    }


def test_no_parameters_lists_everything_by_availability():
    body = build_query(parse_search({}))
    assert body["query"] == {"bool": {"filter": []}}
    assert body["sort"] == [{"available_date": "asc"}, {"listing_id": "asc"}]
    assert (body["from"], body["size"]) == (0, 20)


def test_text_defaults_to_relevance_and_geo_to_distance():
    assert build_query(parse_search(qs("q=rooftop")))["sort"] == ["_score", {"listing_id": "asc"}]
    assert build_query(parse_search(qs("lat=40.7&lon=-74")))["sort"] == [
        {
            "_geo_distance": {
                "location": {"lat": 40.7, "lon": -74.0},
                "order": "asc",
                "unit": "km",
                "distance_type": "arc",
            }
        },
        {"listing_id": "asc"},
    ]


def test_geo_without_radius_uses_the_default_radius():
    assert parse_search(qs("lat=40.7&lon=-74")).geo == GeoFilter(40.7, -74.0, 10.0)


def test_listings_without_promotion_and_one_sided_ranges():
    body = build_query(parse_search(qs("has_promotion=false&max_price=3000&available_to=2026-05-01")))
    assert body["query"]["bool"]["filter"] == [
        {"range": {"monthly_rent": {"lte": 3000.0}}},
        {"range": {"available_date": {"format": "strict_date", "lte": "2026-05-01"}}},
        {"bool": {"must_not": [{"exists": {"field": "promotion"}}]}},
    ]


def test_repeated_and_comma_separated_values_mean_the_same():
    assert parse_search(qs("amenity=pool&amenity=gym&amenity=pool")) == parse_search(qs("amenity=pool,gym"))


def test_every_problem_is_reported_at_once():
    assert problems(
        "max_rpice=10&min_price=5000&max_price=4000&lease_term=36&furnishing=fancy&state=XX"
        "&lat=95&lon=-74&available_from=2026-02-30&bedrooms=9&sort=cheapest&page=0&page_size=500&amenity=Pool!"
    ) == [
        {
            "parameter": "max_rpice",
            "value": ["10"],
            "expected": "a known parameter: amenity, available_from, available_to, bedrooms, city, community, feature, "
            "furnishing, has_promotion, lat, lease_term, lon, max_price, min_price, page, page_size, q, radius_km, sort, state",
        },
        {
            "parameter": "amenity",
            "value": ["Pool!"],
            "expected": "lower-case identifiers (letters, digits, '-' or '_', at most 64 characters)",
        },
        {
            "parameter": "furnishing",
            "value": ["fancy"],
            "expected": "any of furnished, unfurnished, partially_furnished",
        },
        {"parameter": "bedrooms", "value": "9", "expected": "whole numbers from 0 (studio) to 6"},
        {"parameter": "state", "value": "XX", "expected": "a two-letter US state code (DC included)"},
        {"parameter": "lat", "value": "95", "expected": "a latitude from -90 to 90"},
        {"parameter": "lease_term", "value": "36", "expected": "a lease length in months from 1 to 24"},
        {"parameter": "min_price", "value": "5000", "expected": "no more than max_price (4000)"},
        {"parameter": "available_from", "value": "2026-02-30", "expected": "a date as YYYY-MM-DD"},
        {
            "parameter": "sort",
            "value": "cheapest",
            "expected": "one of relevance, price_asc, price_desc, available_date, newest, distance",
        },
        {"parameter": "page", "value": "0", "expected": "a page number from 1"},
        {"parameter": "page_size", "value": "500", "expected": "from 1 to 100"},
    ]


@pytest.mark.parametrize(
    ("query", "parameter", "expected_part"),
    [
        ("lat=40", "lon", "lat and lon given together"),
        ("radius_km=3", "radius_km", "lat and lon alongside"),
        ("lat=40&lon=-74&radius_km=0", "radius_km", "from 0.1 to 500"),
        ("sort=distance", "sort", "lat and lon to sort by distance"),
        ("sort=relevance", "sort", "q (text) to sort by relevance"),
        ("min_price=-1", "min_price", "from 0 to 100000"),
        ("min_price=NaN", "min_price", "from 0 to 100000"),
        ("max_price=abc", "max_price", "from 0 to 100000"),
        ("available_from=2026-05-02&available_to=2026-05-01", "available_from", "on or before available_to"),
        ("has_promotion=maybe", "has_promotion", "true or false"),
        ("page=101&page_size=100", "page", "within the first 10000 results"),
        ("min_price=1&min_price=2", "min_price", "a single value"),
        ("q=" + "x" * 201, "q", "at most 200 characters"),
        ("community=" + ",".join(f"c{n}" for n in range(21)), "community", "at most 20 values"),
    ],
)
def test_invalid_parameter_is_named_with_what_is_expected(query, parameter, expected_part):
    (problem,) = problems(query)
    assert problem["parameter"] == parameter
    assert expected_part in problem["expected"]


def test_state_is_normalised_and_last_page_of_the_window_is_allowed():
    request = parse_search(qs("state=ny&page=100&page_size=100"))
    assert (request.state, request.page, request.page_size) == ("NY", 100, 100)
    assert build_query(request)["from"] == 9900


def _fields_used(body: dict) -> dict[str, set[str]]:
    """Field name -> the kinds of clauses that use it, walked out of a query body."""
    used: dict[str, set[str]] = {}

    def add(field: str, how: str) -> None:
        used.setdefault(field.split("^")[0], set()).add(how)

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("term", "terms", "range"):
                    for field in value:
                        add(field, key)
                elif key == "exists":
                    add(value["field"], key)
                elif key in ("geo_distance", "_geo_distance"):
                    add("location", "geo")
                elif key == "multi_match":
                    for field in value["fields"]:
                        add(field, "text")
                    continue
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(body["query"])
    for clause in body["sort"]:
        if isinstance(clause, dict):
            for field in clause:
                if field == "_geo_distance":
                    add("location", "geo")
                else:
                    add(field, "sort")
    for field in body["_source"]["includes"]:
        add(field, "source")
    return used


def test_every_field_the_builder_uses_is_mapped_with_a_fitting_type():
    bodies = [build_query(parse_search(qs(FULL_QUERY)))] + [
        build_query(parse_search(qs(f"sort={sort}&lat=40.7&lon=-74&q=x")))
        for sort in ("price_desc", "newest", "distance", "available_date")
    ]
    fitting = {
        "term": {"keyword", "short", "integer", "boolean"},
        "terms": {"keyword", "short", "integer"},
        "range": {"scaled_float", "date", "short", "integer"},
        "sort": {"scaled_float", "date", "keyword", "short", "integer"},
        "geo": {"geo_point"},
        "text": {"text"},
        "exists": {"text", "keyword", "date", "scaled_float"},
        "source": None,
    }
    for body in bodies:
        for field, uses in _fields_used(body).items():
            name, _, subfield = field.partition(".")
            assert name in PROPERTIES, f"{field} is not in the index template"
            mapped = PROPERTIES[name]["fields"][subfield] if subfield else PROPERTIES[name]
            for how in uses:
                allowed = fitting[how]
                assert allowed is None or mapped["type"] in allowed, (field, how, mapped["type"])


def test_results_carry_distance_and_page_counts():
    request = SearchRequest(geo=GeoFilter(40.7433, -74.0288, 5), sort="distance", page=1, page_size=2)
    response = {
        "hits": {
            "total": {"value": 3, "relation": "eq"},
            "hits": [
                {
                    "_id": "avb-1",
                    "_source": {"listing_id": "avb-1", "location": {"lat": 40.7527, "lon": -74.0285}},
                    "sort": [1.04, "avb-1"],
                }
            ],
        }
    }
    result = format_results(request, response)
    assert result == {
        "total": 3,
        "total_is_exact": True,
        "page": 1,
        "page_size": 2,
        "pages": 2,
        "sort": "distance",
        "results": [{"listing_id": "avb-1", "location": {"lat": 40.7527, "lon": -74.0285}, "distance_km": 1.05}],
    }


def test_haversine_matches_a_known_distance():
    # One degree along a meridian is 1/360 of the mean-radius great circle: 111.195 km.
    assert distance_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(111.195, abs=0.001)
    assert distance_km(40.7433, -74.0288, 40.7433, -74.0288) == 0.0


def test_parsed_values_have_their_types():
    request = parse_search(qs("min_price=2500.5&available_from=2026-03-01&bedrooms=0&has_promotion=yes"))
    assert request.min_price == Decimal("2500.5")
    assert request.available_from == dt.date(2026, 3, 1)
    assert request.bedrooms == (0,)
    assert request.has_promotion is True
