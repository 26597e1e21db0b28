"""The lease API handler over a real PostgreSQL (TLS, password standing in for the IAM token)."""

from __future__ import annotations

import json
import threading
import time
import uuid

import psycopg
import pytest

from lambdas.lease_api import handler as api
from lambdas.lease_api import outbox, pg


def rest_event(method: str, path: str, body=None, query: dict | None = None) -> dict:
    """An API Gateway REST API proxy-integration event, as the stage would send it."""
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {"content-type": "application/json", "Host": "leasing.example.com"},
        "multiValueHeaders": {},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "identity": {"sourceIp": "10.0.1.10"},
        },
        "body": body if body is None or isinstance(body, str) else json.dumps(body),
        "isBase64Encoded": False,
    }


@pytest.fixture
def call(leasing_db, lambda_context):
    api.use_database(leasing_db)

    def invoke(method, path, body=None, query=None):
        response = api.handler(rest_event(method, path, body, query), lambda_context)
        return response["statusCode"], json.loads(response["body"]) if response.get("body") else None

    yield invoke
    api.use_database(None)


def application(**overrides) -> dict:
    body = {
        "client_request_id": f"req-{uuid.uuid4().hex}",
        "community_id": "avalon-arlington",
        "unit_id": "B-1204",
        "applicant": {"name": "Ana Lima", "email": "ana@example.com"},
        "desired_move_in": "2024-07-01",
        "lease_term_months": 12,
        "monthly_rent_cents": 325_000,
    }
    body.update(overrides)
    return body


def payment(**overrides) -> dict:
    body = {
        "payment_reference": f"pay-{uuid.uuid4().hex}",
        "amount_cents": 325_000,
        "billing_period": "2024-07",
        "received_at": "2024-07-01T09:30:00+00:00",
    }
    body.update(overrides)
    return body


@pytest.fixture
def lease(call) -> dict:
    _, submitted = call("POST", "/applications", application())
    status, lease = call("POST", f"/applications/{submitted['application_id']}/approve", {})
    assert status == 201
    return lease


def outbox_rows(db: pg.Database, detail_type: str | None = None) -> list[dict]:
    def read(cur):
        cur.execute(
            "SELECT * FROM event_outbox WHERE %s::text IS NULL OR detail_type = %s ORDER BY outbox_id",
            (detail_type, detail_type),
        )
        return cur.fetchall()

    return db.transaction(read)


def scalar(db: pg.Database, query: str, params=()) -> object:
    def read(cur):
        cur.execute(query, params)
        return next(iter(cur.fetchone().values()))

    return db.transaction(read)


def test_submit_application_stores_it_and_queues_one_event(call, leasing_db):
    body = application()
    status, created = call("POST", "/applications", body)
    assert status == 201
    assert created["status"] == "submitted" and created["unit_id"] == "B-1204"
    events = outbox_rows(leasing_db)
    assert [e["detail_type"] for e in events] == [outbox.APPLICATION_SUBMITTED]
    detail = events[0]["detail"]
    assert detail["application_id"] == created["application_id"]
    assert detail["monthly_rent_cents"] == 325_000 and uuid.UUID(detail["event_id"]) == events[0]["event_id"]
    assert "applicant_email" not in detail  # personal data stays in the database


def test_resubmitting_the_same_request_returns_the_first_application(call, leasing_db):
    body = application()
    _, first = call("POST", "/applications", body)
    status, again = call("POST", "/applications", body)
    assert status == 200 and again["application_id"] == first["application_id"]
    assert scalar(leasing_db, "SELECT count(*) FROM lease_applications") == 1
    assert len(outbox_rows(leasing_db)) == 1


def test_reusing_a_request_id_for_another_application_conflicts(call, leasing_db):
    body = application()
    call("POST", "/applications", body)
    status, error = call("POST", "/applications", {**body, "monthly_rent_cents": 1})
    assert status == 409 and "monthly_rent_cents" in error["message"]
    assert scalar(leasing_db, "SELECT monthly_rent_cents FROM lease_applications") == 325_000


def test_invalid_application_lists_every_problem(call, leasing_db):
    body = application(lease_term_months=48, applicant={"name": "A", "email": "not-an-email"})
    del body["unit_id"]
    status, error = call("POST", "/applications", body)
    assert status == 400
    problems = " | ".join(error["problems"])
    assert "'unit_id' is a required property" in problems
    assert "lease_term_months" in problems and "applicant/email" in problems
    assert call("POST", "/applications", "{not json")[0] == 400
    assert scalar(leasing_db, "SELECT count(*) FROM event_outbox") == 0


def test_approving_creates_the_lease_once(call, leasing_db):
    _, submitted = call("POST", "/applications", application(desired_move_in="2024-02-01", lease_term_months=12))
    status, lease = call("POST", f"/applications/{submitted['application_id']}/approve", {})
    assert status == 201
    assert (lease["start_date"], lease["end_date"]) == ("2024-02-01", "2025-01-31")
    status, again = call("POST", f"/applications/{submitted['application_id']}/approve", {})
    assert status == 200 and again["lease_id"] == lease["lease_id"]
    status, _ = call("POST", f"/applications/{submitted['application_id']}/approve", {"start_date": "2024-03-01"})
    assert status == 409
    assert len(outbox_rows(leasing_db, outbox.LEASE_CREATED)) == 1
    assert call("POST", f"/applications/{uuid.uuid4()}/approve", {})[0] == 404


def test_the_same_payment_twice_takes_effect_once(call, leasing_db, lease):
    body = payment()
    status, first = call("POST", f"/leases/{lease['lease_id']}/payments", body)
    assert status == 201
    status, second = call("POST", f"/leases/{lease['lease_id']}/payments", body)
    assert status == 200 and second["payment_id"] == first["payment_id"]

    status, stored = call("GET", f"/leases/{lease['lease_id']}")
    assert status == 200
    assert stored["paid_cents"] == 325_000
    assert [p["payment_id"] for p in stored["payments"]] == [first["payment_id"]]
    events = outbox_rows(leasing_db, outbox.RENT_PAYMENT_RECORDED)
    assert len(events) == 1 and events[0]["detail"]["payment_id"] == first["payment_id"]


def test_a_reference_reused_with_another_amount_conflicts(call, leasing_db, lease):
    body = payment()
    call("POST", f"/leases/{lease['lease_id']}/payments", body)
    status, error = call("POST", f"/leases/{lease['lease_id']}/payments", {**body, "amount_cents": 1})
    assert status == 409 and "amount_cents" in error["message"]
    assert call("GET", f"/leases/{lease['lease_id']}")[1]["paid_cents"] == 325_000


def test_concurrent_duplicates_of_one_payment_take_effect_once(leasing_db_settings, leasing_db, lease):
    body, outcomes, errors = payment(), [], []
    lease_id = uuid.UUID(lease["lease_id"])
    barrier = threading.Barrier(6)

    def deliver():
        from lambdas.lease_api import leases

        db = pg.Database(leasing_db_settings)  # one connection per Lambda environment
        try:
            db.connection()
            barrier.wait()
            outcomes.append(db.transaction(lambda cur: leases.record_payment(cur, lease_id, body)).created)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            db.close()

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == [False] * 5 + [True]
    assert scalar(leasing_db, "SELECT paid_cents FROM leases") == 325_000
    assert len(outbox_rows(leasing_db, outbox.RENT_PAYMENT_RECORDED)) == 1


def test_payment_and_its_event_commit_together(call, leasing_db, lease, monkeypatch):
    def broken_outbox(*args, **kwargs):
        raise psycopg.errors.DiskFull("no space left for the outbox")

    monkeypatch.setattr(outbox, "add_event", broken_outbox)
    status, error = call("POST", f"/leases/{lease['lease_id']}/payments", payment())
    assert status == 503 and "retry" in error["message"]
    assert scalar(leasing_db, "SELECT count(*) FROM rent_payments") == 0
    assert scalar(leasing_db, "SELECT paid_cents FROM leases") == 0


def test_payment_validation_and_unknown_lease(call, lease):
    status, error = call(
        "POST",
        f"/leases/{lease['lease_id']}/payments",
        payment(amount_cents=0, billing_period="2024-13", received_at="2024-07-01T09:30:00"),
    )
    assert status == 400 and len(error["problems"]) == 3
    assert call("POST", f"/leases/{uuid.uuid4()}/payments", payment())[0] == 404
    assert call("GET", "/leases/not-a-uuid")[0] == 404


def test_listing_leases_of_a_community_and_unit(call, lease):
    _, other = call("POST", "/applications", application(unit_id="C-0101"))
    call("POST", f"/applications/{other['application_id']}/approve", {})
    status, found = call("GET", "/leases", query={"community_id": "avalon-arlington"})
    assert status == 200 and len(found["leases"]) == 2
    _, one_unit = call("GET", "/leases", query={"community_id": "avalon-arlington", "unit_id": "B-1204"})
    assert [item["lease_id"] for item in one_unit["leases"]] == [lease["lease_id"]]
    assert call("GET", "/leases", query={"community_id": "elsewhere"})[1] == {"leases": []}
    assert call("GET", "/leases")[0] == 400
    assert call("GET", "/leases", query={"community_id": "x", "limit": "1000"})[0] == 400


def test_a_dropped_connection_is_reopened_and_the_request_succeeds(call, leasing_db, postgres_server, lease):
    pid = leasing_db.connection().info.backend_pid
    with postgres_server.admin_connect() as admin:  # what a proxy failover does to a client connection
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    status, _ = call("POST", f"/leases/{lease['lease_id']}/payments", payment())
    assert status == 201
    assert leasing_db.connection().info.backend_pid != pid


@pytest.fixture
def switched_over(postgres_server, leasing_database):
    """Turns the server the live connections are on into a read-only one, as a switchover does to
    the old writer, while new connections land on a writable one (as through the re-pointed writer
    alias or the proxy's new target): the server-wide setting reaches live sessions on reload, the
    database-level override only sessions that start after it."""

    def switch_over(live: psycopg.Connection):
        with postgres_server.admin_connect() as admin:
            admin.execute(f'ALTER DATABASE "{leasing_database}" SET default_transaction_read_only = off')
            admin.execute("ALTER SYSTEM SET default_transaction_read_only = on")
            admin.execute("SELECT pg_reload_conf()")
        # The postmaster passes the reload on to each backend asynchronously: wait until it arrived.
        for _ in range(500):
            if live.execute("SHOW transaction_read_only").fetchone()["transaction_read_only"] == "on":
                return
            time.sleep(0.01)
        raise AssertionError("the live session never became read-only")

    yield switch_over
    with postgres_server.admin_connect() as admin:
        admin.execute("SET default_transaction_read_only = off")
        admin.execute("ALTER SYSTEM RESET default_transaction_read_only")
        admin.execute("SELECT pg_reload_conf()")
        admin.execute(f'ALTER DATABASE "{leasing_database}" RESET default_transaction_read_only')


def test_a_write_after_a_switchover_succeeds_on_a_fresh_connection(call, leasing_db, lease, switched_over):
    old = leasing_db.connection()
    switched_over(old)

    status, body = call("POST", f"/leases/{lease['lease_id']}/payments", payment(amount_cents=1_000))

    assert status == 201, body
    assert old.closed and leasing_db.connection() is not old
    assert scalar(leasing_db, "SELECT paid_cents FROM leases WHERE lease_id = %s", (lease["lease_id"],)) == 1_000


def test_a_read_only_error_closes_the_connection_even_without_a_retry(leasing_db_settings, switched_over):
    db = pg.Database(leasing_db_settings, attempts=1)
    old = db.connection()
    switched_over(old)
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        db.transaction(lambda cur: cur.execute("CREATE TEMP TABLE t (x int)"))
    assert old.closed
    db.transaction(lambda cur: cur.execute("CREATE TEMP TABLE t (x int)"))  # the next call: a fresh connection
    db.close()
