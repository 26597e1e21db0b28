"""Connection settings of the leasing functions: IAM token through RDS Proxy, TLS always."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest

from lambdas.lease_api import pg

PROXY = "leasing-proxy.proxy-c0ffee123456.us-east-1.rds.amazonaws.com"


def test_defaults_are_iam_auth_over_verified_tls():
    settings = pg.ConnectionSettings.from_env(
        {"DB_HOST": PROXY, "DB_NAME": "leasing", "DB_USER": "lease_api", "AWS_REGION": "us-east-1"}
    )
    assert (settings.auth, settings.sslmode, settings.sslrootcert, settings.port) == (
        "iam",
        "verify-full",
        "system",
        5432,
    )


def test_every_settings_problem_is_reported_at_once():
    with pytest.raises(pg.SettingsError) as error:
        pg.ConnectionSettings.from_env({"DB_HOST": PROXY, "DB_SSLMODE": "disable", "AWS_REGION": "us-east-1"})
    message = str(error.value)
    assert "dbname is empty" in message and "user is empty" in message
    assert "auth 'iam' needs TLS" in message
    with pytest.raises(pg.SettingsError, match="DB_PORT must be a number"):
        pg.ConnectionSettings.from_env({"DB_PORT": "fifty"})
    with pytest.raises(pg.SettingsError, match="needs DB_PASSWORD"):
        pg.ConnectionSettings.from_env({"DB_HOST": "h", "DB_NAME": "d", "DB_USER": "u", "DB_AUTH": "password"})


def test_the_password_is_a_signed_iam_token_for_the_proxy(aws_env):
    settings = pg.ConnectionSettings(host=PROXY, dbname="leasing", user="lease_api", region="us-east-1")
    kwargs = pg.connect_kwargs(settings)
    token = kwargs["password"]
    parts = urlsplit(f"https://{token}")
    query = parse_qs(parts.query)
    assert parts.netloc == f"{PROXY}:5432"
    assert query["Action"] == ["connect"] and query["DBUser"] == ["lease_api"]
    assert query["X-Amz-Expires"] == ["900"] and "X-Amz-Signature" in query
    assert "us-east-1/rds-db/aws4_request" in query["X-Amz-Credential"][0]
    assert (kwargs["sslmode"], kwargs["sslrootcert"]) == ("verify-full", "system")


def test_the_test_server_like_the_proxy_refuses_plain_text(postgres_server, leasing_database):
    settings = pg.ConnectionSettings.from_env({**postgres_server.environ(leasing_database), "DB_SSLMODE": "disable"})
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        pg.connect(settings)
    with pg.connect(pg.ConnectionSettings.from_env(postgres_server.environ(leasing_database))) as conn:
        assert conn.info.pgconn.ssl_in_use
        assert conn.prepare_threshold is None  # no server-side prepared statements: no proxy pinning


def test_a_certificate_from_another_authority_is_rejected(postgres_server, leasing_database, tmp_path):
    from tests.lambdas.leasing.local_postgres import _write_certificates

    other_ca, _, _ = _write_certificates(tmp_path)
    env = {**postgres_server.environ(leasing_database), "DB_SSLROOTCERT": str(other_ca)}
    with pytest.raises(psycopg.OperationalError, match="SSL error"):
        pg.connect(pg.ConnectionSettings.from_env(env))


def test_non_transient_errors_are_not_retried(leasing_db):
    calls = []

    def work(cur):
        calls.append(1)
        cur.execute("SELECT 1/0")

    with pytest.raises(psycopg.errors.DivisionByZero):
        leasing_db.transaction(work)
    assert len(calls) == 1


def test_the_shared_module_is_the_same_file_in_every_function():
    root = Path(pg.__file__).resolve().parent.parent
    for function in ("lease_outbox_relay", "db_migrations"):
        copy = root / function / "pg.py"
        assert copy.is_file() and os.path.samefile(copy, root / "lease_api" / "pg.py")


def test_the_writer_alias_is_resolved_and_the_token_signed_for_its_region(aws_env, monkeypatch):
    target = "leasing-usw2.proxy-c0ffee654321.us-west-2.rds.amazonaws.com"
    monkeypatch.setattr(pg, "resolve_alias", lambda alias: {"writer.leasing.internal": target}[alias])
    settings = pg.ConnectionSettings.from_env(
        {
            "DB_HOST": "writer.leasing.internal",
            "DB_HOST_IS_ALIAS": "true",
            "DB_NAME": "leasing",
            "DB_USER": "lease_api",
            "AWS_REGION": "us-east-1",
        }
    )
    kwargs = pg.connect_kwargs(settings)
    assert kwargs["host"] == target  # verify-full checks the proxy's own name, not the alias
    query = parse_qs(urlsplit(f"https://{kwargs['password']}").query)
    assert urlsplit(f"https://{kwargs['password']}").netloc == f"{target}:5432"
    assert "us-west-2/rds-db/aws4_request" in query["X-Amz-Credential"][0]


@pytest.mark.parametrize(
    "host, region",
    [
        ("leasing.proxy-abc.us-west-2.rds.amazonaws.com", "us-west-2"),
        ("db.cluster-xyz.ap-southeast-2.rds.amazonaws.com.", "ap-southeast-2"),
        ("localhost", "eu-west-1"),
    ],
)
def test_region_of_host(host, region):
    assert pg.region_of_host(host, "eu-west-1") == region


def test_the_alias_is_followed_against_the_real_server(postgres_server, leasing_database, monkeypatch):
    monkeypatch.setattr(pg, "resolve_alias", lambda alias: "localhost")
    env = {
        **postgres_server.environ(leasing_database),
        "DB_HOST": "writer.leasing.internal",
        "DB_HOST_IS_ALIAS": "true",
    }
    with pg.connect(pg.ConnectionSettings.from_env(env)) as conn:
        assert conn.info.host == "localhost" and conn.info.pgconn.ssl_in_use
