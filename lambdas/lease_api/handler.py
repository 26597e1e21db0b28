"""Lease API (API Gateway REST proxy integration) over Aurora PostgreSQL through RDS Proxy.

Routes:
  POST /applications                         submit an application (idempotent on client_request_id)
  POST /applications/{application_id}/approve create the lease (idempotent per application)
  GET  /leases?community_id=..&unit_id=..     list leases of a community (optionally one unit)
  GET  /leases/{lease_id}                     one lease with its payments
  POST /leases/{lease_id}/payments            record a rent payment (idempotent on payment_reference)

A repeated write answers 200 with the first result; the first answers 201.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal

import psycopg
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import BadRequestError, NotFoundError

from . import leases, pg, schemas

logger = Logger()


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _dumps(body) -> str:
    return json.dumps(body, default=_json_default, separators=(",", ":"))


app = APIGatewayRestResolver(serializer=_dumps)
_database: pg.Database | None = None


def database() -> pg.Database:
    """One connection per execution environment, opened on first use (tests replace it)."""
    global _database
    if _database is None:
        _database = pg.Database(pg.ConnectionSettings.from_env(application_name="lease-api"))
    return _database


def use_database(db: pg.Database | None) -> None:
    global _database
    _database = db


def _json(status: int, body) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=_dumps(body))


def _body() -> dict:
    try:
        body = app.current_event.json_body
    except (json.JSONDecodeError, TypeError):
        raise BadRequestError("body: not valid JSON") from None
    return {} if body is None else body


def _uuid(value: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFoundError(f"no {name} {value}") from None


def _written(outcome: leases.Outcome) -> Response:
    return _json(201 if outcome.created else 200, outcome.record)


@app.post("/applications")
def submit_application():
    body = _body()
    outcome = database().transaction(lambda cur: leases.submit_application(cur, body))
    logger.info(
        "application", extra={"application_id": str(outcome.record["application_id"]), "first_time": outcome.created}
    )
    return _written(outcome)


@app.post("/applications/<application_id>/approve")
def approve_application(application_id: str):
    key, body = _uuid(application_id, "application"), _body()
    outcome = database().transaction(lambda cur: leases.approve_application(cur, key, body))
    logger.info("lease", extra={"lease_id": str(outcome.record["lease_id"]), "first_time": outcome.created})
    return _written(outcome)


@app.post("/leases/<lease_id>/payments")
def record_payment(lease_id: str):
    key, body = _uuid(lease_id, "lease"), _body()
    outcome = database().transaction(lambda cur: leases.record_payment(cur, key, body))
    logger.info("payment", extra={"payment_id": str(outcome.record["payment_id"]), "first_time": outcome.created})
    return _written(outcome)


@app.get("/leases/<lease_id>")
def get_lease(lease_id: str):
    key = _uuid(lease_id, "lease")
    return _json(200, database().transaction(lambda cur: leases.get_lease(cur, key)))


@app.get("/leases")
def list_leases():
    params = app.current_event.query_string_parameters or {}
    community_id = params.get("community_id")
    if not community_id:
        raise BadRequestError("community_id: required query parameter")
    try:
        limit = int(params.get("limit", "50"))
    except ValueError:
        raise BadRequestError("limit: must be a whole number") from None
    found = database().transaction(lambda cur: leases.list_leases(cur, community_id, params.get("unit_id"), limit))
    return _json(200, {"leases": found})


@app.exception_handler(schemas.RequestError)
def _invalid(error: schemas.RequestError):
    return _json(400, {"message": "invalid request", "problems": error.problems})


@app.exception_handler(leases.NotFound)
def _not_found(error: leases.NotFound):
    return _json(404, {"message": str(error)})


@app.exception_handler(leases.Conflict)
def _conflict(error: leases.Conflict):
    return _json(409, {"message": str(error)})


@app.exception_handler(psycopg.Error)
def _database_unavailable(error: psycopg.Error):
    # Every write is idempotent, so the client can safely send the same request again.
    logger.exception("database error")
    return _json(503, {"message": "the lease database is unavailable; retry the same request"})


@logger.inject_lambda_context
def handler(event, context):
    return app.resolve(event, context)
