"""Lease operations. Each runs inside one transaction given as a cursor (``Database.transaction``).

Every write is idempotent on a key the client supplies (``client_request_id`` for applications,
the application for its lease, the processor's ``payment_reference`` for payments): repeating a
request returns the first result and changes nothing, so clients and the connection layer may
retry freely. Each change queues its lease event in the outbox in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import psycopg
from psycopg import sql

from . import outbox, schemas


class NotFound(LookupError):
    pass


class Conflict(ValueError):
    """The idempotency key was used before for a different request."""


@dataclass(frozen=True)
class Outcome:
    record: dict
    created: bool


def _one(cur: psycopg.Cursor) -> dict | None:
    return cur.fetchone()


def _replayed(cur: psycopg.Cursor, table: str, key: str, values: dict, conflict: str) -> Outcome:
    """The row an earlier request with the same idempotency key created, when this request is the
    same one again; Conflict when the key was used for something else."""
    cur.execute(
        sql.SQL("SELECT * FROM {} WHERE {} = %s").format(sql.Identifier(table), sql.Identifier(key)), (values[key],)
    )
    existing = _one(cur)
    different = sorted(k for k, v in values.items() if existing[k] != v)
    if different:
        raise Conflict(f"{key} {values[key]} {conflict} (differs in {', '.join(different)})")
    return Outcome(existing, created=False)


def submit_application(cur: psycopg.Cursor, body: dict) -> Outcome:
    body = schemas.validate(schemas.SUBMIT_APPLICATION, body)
    values = dict(
        client_request_id=body["client_request_id"],
        community_id=body["community_id"],
        unit_id=body["unit_id"],
        applicant_name=body["applicant"]["name"],
        applicant_email=body["applicant"]["email"],
        desired_move_in=schemas.parse_date(body["desired_move_in"]),
        lease_term_months=body["lease_term_months"],
        monthly_rent_cents=body["monthly_rent_cents"],
    )
    cur.execute(
        """INSERT INTO lease_applications (application_id, client_request_id, community_id, unit_id, applicant_name,
                                           applicant_email, desired_move_in, lease_term_months, monthly_rent_cents)
           VALUES (%(application_id)s, %(client_request_id)s, %(community_id)s, %(unit_id)s, %(applicant_name)s,
                   %(applicant_email)s, %(desired_move_in)s, %(lease_term_months)s, %(monthly_rent_cents)s)
           ON CONFLICT (client_request_id) DO NOTHING
           RETURNING *""",
        {"application_id": uuid.uuid4(), **values},
    )
    row = _one(cur)
    if row is None:
        return _replayed(cur, "lease_applications", "client_request_id", values, "was used for a different application")
    outbox.add_event(
        cur,
        outbox.APPLICATION_SUBMITTED,
        row["application_id"],
        {
            "application_id": str(row["application_id"]),
            "community_id": row["community_id"],
            "unit_id": row["unit_id"],
            "desired_move_in": row["desired_move_in"].isoformat(),
            "lease_term_months": row["lease_term_months"],
            "monthly_rent_cents": row["monthly_rent_cents"],
        },
    )
    return Outcome(row, created=True)


def approve_application(cur: psycopg.Cursor, application_id: uuid.UUID, body: dict) -> Outcome:
    body = schemas.validate(schemas.APPROVE_APPLICATION, body)
    cur.execute("SELECT * FROM lease_applications WHERE application_id = %s FOR UPDATE", (application_id,))
    application = _one(cur)
    if application is None:
        raise NotFound(f"no application {application_id}")
    start: date = schemas.parse_date(body["start_date"]) if "start_date" in body else application["desired_move_in"]
    if application["status"] == "approved":
        cur.execute("SELECT * FROM leases WHERE application_id = %s", (application_id,))
        lease = _one(cur)
        if lease["start_date"] != start:
            raise Conflict(f"application {application_id} was already approved with start date {lease['start_date']}")
        return Outcome(lease, created=False)
    cur.execute(
        """INSERT INTO leases (lease_id, application_id, community_id, unit_id, resident_name, resident_email,
                               start_date, end_date, monthly_rent_cents)
           VALUES (%s, %s, %s, %s, %s, %s, %s, (%s::date + make_interval(months => %s))::date - 1, %s)
           RETURNING *""",
        (
            uuid.uuid4(),
            application_id,
            application["community_id"],
            application["unit_id"],
            application["applicant_name"],
            application["applicant_email"],
            start,
            start,
            application["lease_term_months"],
            application["monthly_rent_cents"],
        ),
    )
    lease = _one(cur)
    cur.execute(
        "UPDATE lease_applications SET status = 'approved', decided_at = now() WHERE application_id = %s",
        (application_id,),
    )
    outbox.add_event(
        cur,
        outbox.LEASE_CREATED,
        lease["lease_id"],
        {
            "lease_id": str(lease["lease_id"]),
            "application_id": str(application_id),
            "community_id": lease["community_id"],
            "unit_id": lease["unit_id"],
            "start_date": lease["start_date"].isoformat(),
            "end_date": lease["end_date"].isoformat(),
            "monthly_rent_cents": lease["monthly_rent_cents"],
        },
    )
    return Outcome(lease, created=True)


def record_payment(cur: psycopg.Cursor, lease_id: uuid.UUID, body: dict) -> Outcome:
    body = schemas.validate(schemas.RECORD_PAYMENT, body)
    values = dict(
        lease_id=lease_id,
        payment_reference=body["payment_reference"],
        amount_cents=body["amount_cents"],
        billing_period=body["billing_period"],
        received_at=schemas.parse_datetime(body["received_at"]),
    )
    cur.execute("SELECT community_id FROM leases WHERE lease_id = %s", (lease_id,))
    lease = _one(cur)
    if lease is None:
        raise NotFound(f"no lease {lease_id}")
    # A concurrent duplicate waits here on the unique index until the first commits, then inserts
    # nothing: whichever way the two race, the payment takes effect once.
    cur.execute(
        """INSERT INTO rent_payments (payment_id, lease_id, payment_reference, amount_cents, billing_period, received_at)
           VALUES (%(payment_id)s, %(lease_id)s, %(payment_reference)s, %(amount_cents)s, %(billing_period)s,
                   %(received_at)s)
           ON CONFLICT (payment_reference) DO NOTHING
           RETURNING *""",
        {"payment_id": uuid.uuid4(), **values},
    )
    payment = _one(cur)
    if payment is None:
        return _replayed(cur, "rent_payments", "payment_reference", values, "was already recorded with other values")
    cur.execute(
        "UPDATE leases SET paid_cents = paid_cents + %s, updated_at = now() WHERE lease_id = %s",
        (payment["amount_cents"], lease_id),
    )
    outbox.add_event(
        cur,
        outbox.RENT_PAYMENT_RECORDED,
        lease_id,
        {
            "payment_id": str(payment["payment_id"]),
            "lease_id": str(lease_id),
            "community_id": lease["community_id"],
            "amount_cents": payment["amount_cents"],
            "billing_period": payment["billing_period"],
            "received_at": payment["received_at"].isoformat(),
        },
    )
    return Outcome(payment, created=True)


def get_lease(cur: psycopg.Cursor, lease_id: uuid.UUID) -> dict:
    cur.execute("SELECT * FROM leases WHERE lease_id = %s", (lease_id,))
    lease = _one(cur)
    if lease is None:
        raise NotFound(f"no lease {lease_id}")
    cur.execute("SELECT * FROM rent_payments WHERE lease_id = %s ORDER BY received_at, payment_id", (lease_id,))
    return {**lease, "payments": cur.fetchall()}


def list_leases(cur: psycopg.Cursor, community_id: str, unit_id: str | None = None, limit: int = 50) -> list[dict]:
    if not 1 <= limit <= 100:
        raise schemas.RequestError([f"limit: must be between 1 and 100, got {limit}"])
    cur.execute(
        """SELECT * FROM leases
           WHERE community_id = %s AND (%s::text IS NULL OR unit_id = %s)
           ORDER BY start_date DESC, lease_id
           LIMIT %s""",
        (community_id, unit_id, unit_id, limit),
    )
    return cur.fetchall()
