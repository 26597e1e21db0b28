"""The application role of the migrations on the real PostgreSQL: it can do what the lease API and
the relay do (their whole test suites run as it, through the ``leasing_db`` fixture) and nothing
else: no DDL, no reading the migration ledger, no rewriting history."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.rows import dict_row

from lambdas.lease_api import pg
from tests.lambdas.leasing.conftest import APP_USER


@pytest.fixture
def app_conn(leasing_db):
    conn = leasing_db.connection()
    yield conn
    leasing_db.close()


def test_the_role_logs_in_only_with_an_iam_token(postgres_server, leasing_database):
    with postgres_server.admin_connect(leasing_database) as admin:
        roles = admin.execute(
            """SELECT r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
                      pg_has_role(r.oid, 'rds_iam', 'MEMBER') AS iam
               FROM pg_roles r WHERE r.rolname = %s""",
            (APP_USER,),
        ).fetchall()
    assert roles == [(APP_USER, False, False, False, False, True)]


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE public.intruder (x int)",
        "CREATE TEMP TABLE intruder (x int)",
        "ALTER TABLE leases ADD COLUMN intruder int",
        "DROP TABLE rent_payments",
        "TRUNCATE event_outbox",
        "CREATE INDEX intruder ON leases (resident_name)",
        "SELECT * FROM schema_migrations",
        "DELETE FROM leases",
        "DELETE FROM rent_payments",
        "UPDATE rent_payments SET amount_cents = 1",
        "UPDATE leases SET monthly_rent_cents = 1",
        "UPDATE lease_applications SET applicant_email = 'x@example.com'",
        "UPDATE event_outbox SET detail = '{}'::jsonb",
        "CREATE ROLE intruder",
    ],
)
def test_the_role_cannot_change_the_schema_or_history(app_conn, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_conn.execute(statement)


def test_the_master_user_still_owns_the_schema(leasing_db_settings):
    with pg.connect(leasing_db_settings) as admin, admin.transaction(force_rollback=True):
        admin.execute("CREATE TABLE public.owned_by_master (x int)")
        row = admin.cursor(row_factory=dict_row).execute("SELECT current_user AS who").fetchone()
    assert row["who"] == leasing_db_settings.user != APP_USER
