"""SearchRequest to OpenSearch query DSL, and hits back to API results.

Structured criteria go in `bool.filter` (no scoring, cached by OpenSearch); only free text is
scored. Every sort ends on `listing_id` so pages never overlap or skip listings with equal keys.
Field names follow the index template (lambdas/search_bootstrap/index_template.json).
"""

from __future__ import annotations

import math
from typing import Any

from .params import SearchRequest

TEXT_FIELDS = ("community_name^3", "city.text^2", "street", "promotion", "description")
RESULT_FIELDS = (
    "listing_id", "community_id", "community_name", "unit_number", "street", "city", "state", "postal_code",
    "location", "bedrooms", "bathrooms", "square_feet", "monthly_rent", "lease_terms_months", "furnishing",
    "amenities", "features", "promotion", "available_date",
)  # fmt: skip
TIEBREAK = {"listing_id": "asc"}


def _filters(request: SearchRequest) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    if request.communities:
        filters.append({"terms": {"community_id": list(request.communities)}})
    if request.city:
        filters.append({"term": {"city": request.city}})
    if request.state:
        filters.append({"term": {"state": request.state}})
    if request.geo:
        filters.append(
            {
                "geo_distance": {
                    "distance": f"{request.geo.radius_km:g}km",
                    "location": {"lat": request.geo.lat, "lon": request.geo.lon},
                }
            }
        )
    # Every requested amenity and feature must be present: one term filter each.
    filters.extend({"term": {"amenities": amenity}} for amenity in request.amenities)
    filters.extend({"term": {"features": feature}} for feature in request.features)
    if request.lease_term is not None:
        filters.append({"term": {"lease_terms_months": request.lease_term}})
    if request.furnishings:
        filters.append({"terms": {"furnishing": list(request.furnishings)}})
    if request.bedrooms:
        filters.append({"terms": {"bedrooms": list(request.bedrooms)}})
    if request.min_price is not None or request.max_price is not None:
        price: dict[str, Any] = {}
        if request.min_price is not None:
            price["gte"] = float(request.min_price)
        if request.max_price is not None:
            price["lte"] = float(request.max_price)
        filters.append({"range": {"monthly_rent": price}})
    if request.available_from or request.available_to:
        window: dict[str, Any] = {"format": "strict_date"}
        if request.available_from:
            window["gte"] = request.available_from.isoformat()
        if request.available_to:
            window["lte"] = request.available_to.isoformat()
        filters.append({"range": {"available_date": window}})
    if request.has_promotion is True:
        filters.append({"exists": {"field": "promotion"}})
    elif request.has_promotion is False:
        filters.append({"bool": {"must_not": [{"exists": {"field": "promotion"}}]}})
    return filters


def _sort(request: SearchRequest) -> list[Any]:
    if request.sort == "relevance":
        return ["_score", TIEBREAK]
    if request.sort == "price_asc":
        return [{"monthly_rent": "asc"}, TIEBREAK]
    if request.sort == "price_desc":
        return [{"monthly_rent": "desc"}, TIEBREAK]
    if request.sort == "newest":
        return [{"updated_at": {"order": "desc", "missing": "_last"}}, TIEBREAK]
    if request.sort == "distance":
        geo = request.geo
        return [
            {
                "_geo_distance": {
                    "location": {"lat": geo.lat, "lon": geo.lon},
                    "order": "asc",
                    "unit": "km",
                    "distance_type": "arc",
                }
            },
            TIEBREAK,
        ]
    return [{"available_date": "asc"}, TIEBREAK]


def build_query(request: SearchRequest) -> dict[str, Any]:
    """The `_search` request body for a validated request."""
    boolean: dict[str, Any] = {"filter": _filters(request)}
    if request.text:
        boolean["must"] = [{"multi_match": {"query": request.text, "fields": list(TEXT_FIELDS), "operator": "and"}}]
    return {
        "query": {"bool": boolean},
        "sort": _sort(request),
        "from": (request.page - 1) * request.page_size,
        "size": request.page_size,
        "track_total_hits": True,
        "_source": {"includes": list(RESULT_FIELDS)},
    }


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius), as OpenSearch's `arc` computes it."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def format_results(request: SearchRequest, response: dict[str, Any]) -> dict[str, Any]:
    hits = response.get("hits", {})
    total = hits.get("total", {"value": 0, "relation": "eq"})
    results = []
    for hit in hits.get("hits", []):
        listing = dict(hit.get("_source", {}))
        location = listing.get("location")
        if request.geo and isinstance(location, dict):
            listing["distance_km"] = round(
                distance_km(request.geo.lat, request.geo.lon, location["lat"], location["lon"]), 2
            )
        results.append(listing)
    return {
        "total": total["value"],
        "total_is_exact": total.get("relation", "eq") == "eq",
        "page": request.page,
        "page_size": request.page_size,
        "pages": math.ceil(total["value"] / request.page_size),
        "sort": request.sort,
        "results": results,
    }
