"""Listing search API: validates the query string, builds the OpenSearch DSL, returns one page.

GET /listings/search?amenity=pool&lease_term=12&max_price=3500&lat=40.74&lon=-74.03&sort=distance
Works behind a REST API (payload v1, repeated keys) or an HTTP API (payload v2, comma-folded keys).
"""

from __future__ import annotations

import functools
import os
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from opensearchpy.exceptions import TransportError

from .opensearch import client_from_env
from .params import InvalidSearch, parse_search
from .query import build_query, format_results

logger = Logger()
router = Router()


@functools.cache
def _opensearch_client() -> Any:
    return client_from_env()


def reset_clients() -> None:
    _opensearch_client.cache_clear()


def _query_params(event: Any) -> dict[str, list[str]]:
    multi = getattr(event, "multi_value_query_string_parameters", None)
    if multi:
        return {name: list(values) for name, values in multi.items()}
    return {name: [value] for name, value in (event.query_string_parameters or {}).items()}


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@router.get("/listings/search")
def search() -> Response:
    try:
        request = parse_search(_query_params(router.current_event))
    except InvalidSearch as exc:
        return _json(400, {"message": "invalid search parameters", "errors": exc.problems})
    body = build_query(request)
    try:
        response = _opensearch_client().search(index=os.environ.get("INDEX_NAME", "listings"), body=body)
    except TransportError as exc:
        logger.exception("search failed", extra={"status": getattr(exc, "status_code", None)})
        return _json(503, {"message": "search is temporarily unavailable, please retry"})
    result = format_results(request, response)
    logger.info(
        "search served", extra={"total": result["total"], "sort": request.sort, "took_ms": response.get("took")}
    )
    return _json(200, result)


# Routes are copied when a router is included, so include after they are declared.
rest_app = APIGatewayRestResolver()
rest_app.include_router(router)
http_app = APIGatewayHttpResolver()
http_app.include_router(router)


@logger.inject_lambda_context
def handler(event: dict, context: Any) -> dict:
    app = http_app if event.get("version") == "2.0" else rest_app
    return app.resolve(event, context)
