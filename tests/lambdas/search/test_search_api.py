"""The search API handler behind API Gateway (REST payload v1 and HTTP payload v2) with a fake OpenSearch."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode

import pytest

from lambdas.search_api import handler as search_handler
from lambdas.search_api.params import parse_search
from lambdas.search_api.query import build_query
from tests.lambdas.search.search_helpers import REGION, FakeContext, http_event, listing, rest_event


@pytest.fixture
def api(fake_opensearch, monkeypatch):
    monkeypatch.setenv("OPENSEARCH_ENDPOINT", fake_opensearch.url)
    monkeypatch.setenv("INDEX_NAME", "listings")
    search_handler.reset_clients()
    yield fake_opensearch
    search_handler.reset_clients()


def call(event: dict) -> tuple[int, dict]:
    response = search_handler.handler(event, FakeContext())
    return response["statusCode"], json.loads(response["body"])


QUERY = "amenity=pool&amenity=fitness_center&lease_term=12&furnishing=unfurnished&max_price=3600&lat=40.7433&lon=-74.0288&radius_km=3&sort=distance"


def test_rest_search_sends_the_built_dsl_and_returns_the_page(api):
    near = listing("avb-1", location={"lat": 40.7527, "lon": -74.0285})
    api.search_response = {
        "took": 4,
        "timed_out": False,
        "hits": {
            "total": {"value": 1, "relation": "eq"},
            "max_score": None,
            "hits": [
                {"_index": "listings-v1", "_id": "avb-1", "_score": None, "_source": near, "sort": [1.045, "avb-1"]}
            ],
        },
    }

    status, body = call(rest_event(QUERY))

    assert status == 200
    (request,) = api.requests
    assert (request.method, request.path) == ("POST", "/listings/_search")
    assert request.json() == build_query(parse_search(parse_qs(QUERY)))
    assert request.signature_ok and request.signed_scope == (REGION, "es")
    assert body["total"] == 1 and body["pages"] == 1 and body["sort"] == "distance"
    assert body["results"] == [{**near, "distance_km": 1.05}]


def test_http_api_payload_with_folded_values_builds_the_same_query(api):
    assert call(http_event(QUERY))[0] == 200
    assert call(rest_event(QUERY))[0] == 200
    first, second = api.requests
    assert first.json() == second.json()


def test_invalid_search_is_a_400_listing_every_problem_and_never_reaches_opensearch(api):
    status, body = call(
        rest_event(urlencode({"min_price": "4000", "max_price": "3000", "sort": "distance", "pets": "yes"}))
    )

    assert status == 400
    assert body["message"] == "invalid search parameters"
    assert [p["parameter"] for p in body["errors"]] == ["pets", "min_price", "sort"]
    assert api.requests == []


def test_opensearch_outage_is_a_503(api):
    api.fail_request(503, times=5)

    status, body = call(rest_event("amenity=pool"))

    assert status == 503
    assert body == {"message": "search is temporarily unavailable, please retry"}


def test_unknown_route_is_a_404(api):
    event = rest_event("")
    event["path"] = event["resource"] = "/listings/searchh"
    assert call(event)[0] == 404
