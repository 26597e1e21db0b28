"""Fixtures of the leasing Lambda tests: a real PostgreSQL 15 (TLS only, like RDS Proxy) for the
session, a fresh database per test, moto for AWS, and a Lambda context."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from lambdas.db_migrations import migrations
from lambdas.lease_api import pg
from tests.lambdas.leasing.local_postgres import LocalPostgres, PostgresUnavailable


@pytest.fixture(scope="session")
def postgres_server():
    server = LocalPostgres()
    try:
        server.start()
    except PostgresUnavailable as error:
        server.stop()
        pytest.fail(str(error), pytrace=False)
    yield server
    server.stop()


def settings_for(server: LocalPostgres, dbname: str) -> pg.ConnectionSettings:
    return pg.ConnectionSettings.from_env(server.environ(dbname), application_name="tests")


APP_USER = "leasing_app"  # the application role of the migrations, which the functions use


@pytest.fixture(scope="session")
def leasing_database(postgres_server) -> str:
    """One database per session with the shipped migrations applied (CREATE DATABASE costs ~1 s,
    so tests share it and start from empty tables instead)."""
    name = "leasing"
    postgres_server.create_database(name)
    with pg.connect(settings_for(postgres_server, name)) as conn:
        migrations.apply_migrations(conn)
    return name


@pytest.fixture
def leasing_db_settings(postgres_server, leasing_database):
    settings = settings_for(postgres_server, leasing_database)
    with pg.connect(settings) as conn:
        tables = [
            r["tablename"]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"
            )
        ]
        conn.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(sql.Identifier(t) for t in tables)
            )
        )
    return settings


@pytest.fixture
def empty_db_settings(postgres_server):
    name = f"t_{uuid.uuid4().hex[:12]}"
    postgres_server.create_database(name)
    yield settings_for(postgres_server, name)
    postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def scratch_database(postgres_server) -> str:
    postgres_server.create_database("scratch")
    return "scratch"


@pytest.fixture
def scratch_connect(postgres_server, scratch_database):
    """Connections to a fresh, empty schema (search_path) of the scratch database: an empty
    database for migration tests without paying for CREATE DATABASE each time."""
    schema = f"s_{uuid.uuid4().hex[:12]}"
    settings = settings_for(postgres_server, scratch_database)

    def connect() -> psycopg.Connection:
        return psycopg.connect(
            **pg.connect_kwargs(settings), options=f"-c search_path={schema}", autocommit=True, row_factory=dict_row
        )

    with connect() as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    yield connect
    with connect() as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def leasing_db(postgres_server, leasing_database, leasing_db_settings):
    """The database as the functions see it: connected as the application role."""
    env = postgres_server.application_environ(leasing_database, APP_USER, "stand-in-for-the-iam-token")
    db = pg.Database(pg.ConnectionSettings.from_env(env, application_name="tests"), backoff_seconds=0.01)
    yield db
    db.close()


@pytest.fixture
def aws_env(monkeypatch):
    """Fake credentials and a default Region, so nothing can reach a real account."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@dataclass
class FakeLambdaContext:
    function_name: str = "test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "2024/01/01/[$LATEST]0"
    remaining_ms: int = 60_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def lambda_context():
    return FakeLambdaContext(aws_request_id=str(uuid.uuid4()))
