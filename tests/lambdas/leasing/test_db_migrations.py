"""The migrations runner against a real PostgreSQL: exactly once, in order, each in a transaction."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import boto3
import psycopg
import pytest
from moto import mock_aws

from lambdas.db_migrations import handler as migrations_handler
from lambdas.db_migrations import migrations
from lambdas.lease_api import pg

SHIPPED = [m.version for m in migrations.discover()]


def _write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(exist_ok=True)
    for name, sql in files.items():
        (directory / name).write_text(sql)
    return directory


def _ledger(conn) -> list[tuple[int, str]]:
    return [(r["version"], r["name"]) for r in conn.execute("SELECT version, name FROM schema_migrations ORDER BY 1")]


def _tables(conn) -> set[str]:
    rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return {r["tablename"] for r in rows}


def test_shipped_schema_applies_once_and_only_once(empty_db_settings):
    with pg.connect(empty_db_settings) as conn:
        first = migrations.apply_migrations(conn)
        second = migrations.apply_migrations(conn)
        assert first == {"applied": SHIPPED, "version": SHIPPED[-1]}
        assert second == {"applied": [], "version": SHIPPED[-1]}
        assert _ledger(conn) == [(m.version, m.name) for m in migrations.discover()]
        assert {"lease_applications", "leases", "rent_payments", "event_outbox", "schema_migrations"} <= _tables(conn)
        checksums = [r["checksum"] for r in conn.execute("SELECT checksum FROM schema_migrations ORDER BY version")]
        assert checksums == [m.checksum for m in migrations.discover()]


def test_versions_apply_in_order(scratch_connect, tmp_path):
    # Each file depends on the one before it, so any other order fails.
    directory = _write(
        tmp_path / "sql",
        {
            "0003_fill.sql": "INSERT INTO ledger_demo (a, b) VALUES (1, 'one');",
            "0001_create.sql": "CREATE TABLE ledger_demo (a integer PRIMARY KEY);",
            "0002_widen.sql": "ALTER TABLE ledger_demo ADD COLUMN b text NOT NULL;",
        },
    )
    with scratch_connect() as conn:
        result = migrations.apply_migrations(conn, migrations.discover(directory))
        assert result == {"applied": [1, 2, 3], "version": 3}
        assert conn.execute("SELECT a, b FROM ledger_demo").fetchall() == [{"a": 1, "b": "one"}]
        assert _ledger(conn) == [(1, "create"), (2, "widen"), (3, "fill")]


def test_failing_migration_rolls_back_whole_file_and_stops(scratch_connect, tmp_path):
    directory = _write(
        tmp_path / "sql",
        {
            "0001_base.sql": "CREATE TABLE base (a integer);",
            "0002_half.sql": "CREATE TABLE half_done (a integer);\nSELECT * FROM no_such_table;",
            "0003_after.sql": "CREATE TABLE after_broken (a integer);",
        },
    )
    with scratch_connect() as conn:
        with pytest.raises(migrations.MigrationError, match="0002_half failed and was rolled back"):
            migrations.apply_migrations(conn, migrations.discover(directory))
        assert _ledger(conn) == [(1, "base")]
        assert "half_done" not in _tables(conn)  # the statement before the failure was rolled back too
        assert "after_broken" not in _tables(conn)  # nothing after a failure runs

        (directory / "0002_half.sql").write_text("CREATE TABLE half_done (a integer);")
        assert migrations.apply_migrations(conn, migrations.discover(directory))["applied"] == [2, 3]


def test_editing_an_applied_migration_is_refused_before_applying_anything(scratch_connect, tmp_path):
    directory = _write(tmp_path / "sql", {"0001_base.sql": "CREATE TABLE base (a integer);"})
    with scratch_connect() as conn:
        migrations.apply_migrations(conn, migrations.discover(directory))
        _write(
            directory,
            {"0001_base.sql": "CREATE TABLE base (a bigint);", "0002_next.sql": "CREATE TABLE next_one (a integer);"},
        )
        with pytest.raises(migrations.MigrationError, match="changed after it was applied"):
            migrations.apply_migrations(conn, migrations.discover(directory))
        assert "next_one" not in _tables(conn)


def test_database_ahead_of_code_is_refused(scratch_connect, tmp_path):
    directory = _write(
        tmp_path / "sql", {"0001_a.sql": "CREATE TABLE a (x int);", "0002_b.sql": "CREATE TABLE b (x int);"}
    )
    with scratch_connect() as conn:
        migrations.apply_migrations(conn, migrations.discover(directory))
        (directory / "0002_b.sql").unlink()
        with pytest.raises(migrations.MigrationError, match=r"has migrations \[2\] that this code does not ship"):
            migrations.apply_migrations(conn, migrations.discover(directory))


@pytest.mark.parametrize(
    "files, message",
    [
        ({"0001_a.sql": "", "0003_c.sql": ""}, "without gaps"),
        ({"0001_a.sql": "", "0001_b.sql": ""}, "without gaps or repeats"),
        ({"0001_a.sql": "", "2_b.sql": ""}, "NNNN_lower_snake_name.sql"),
        ({}, "no migrations"),
    ],
)
def test_bad_migration_sets_are_rejected_on_discovery(tmp_path, files, message):
    directory = _write(tmp_path / "sql", files)
    with pytest.raises(migrations.MigrationError, match=message):
        migrations.discover(directory)


def test_concurrent_runners_apply_each_version_once(scratch_connect, tmp_path):
    # CREATE TABLE without IF NOT EXISTS fails if a version ran twice.
    directory = _write(
        tmp_path / "sql",
        {f"{i:04d}_t{i}.sql": f"CREATE TABLE t{i} (a int); SELECT pg_sleep(0.05);" for i in range(1, 5)},
    )
    known = migrations.discover(directory)
    results, errors = [], []

    def run():
        try:
            with scratch_connect() as conn:
                results.append(migrations.apply_migrations(conn, known)["applied"])
        except Exception as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(v for applied in results for v in applied) == [1, 2, 3, 4]
    with scratch_connect() as conn:
        assert [v for v, _ in _ledger(conn)] == [1, 2, 3, 4]


def test_handler_migrates_through_environment_settings(empty_db_settings, postgres_server, monkeypatch, lambda_context):
    for key, value in postgres_server.environ(empty_db_settings.dbname).items():
        monkeypatch.setenv(key, value)
    assert migrations_handler.handler({}, lambda_context) == {"applied": SHIPPED, "version": SHIPPED[-1]}
    assert migrations_handler.handler({}, lambda_context) == {"applied": [], "version": SHIPPED[-1]}


def test_handler_waits_for_a_proxy_that_is_not_ready_yet(
    empty_db_settings, postgres_server, monkeypatch, lambda_context
):
    for key, value in postgres_server.environ(empty_db_settings.dbname).items():
        monkeypatch.setenv(key, value)
    real_connect, attempts = pg.connect, []

    def flaky_connect(settings):
        attempts.append(1)
        if len(attempts) < 3:
            raise psycopg.OperationalError("connection refused: target group has no available targets")
        return real_connect(settings)

    monkeypatch.setattr(migrations_handler.pg, "connect", flaky_connect)
    monkeypatch.setattr(migrations_handler, "RETRY_SECONDS", 0)
    assert migrations_handler.handler({}, lambda_context) == {"applied": SHIPPED, "version": SHIPPED[-1]}
    assert len(attempts) == 3


def test_handler_gives_up_before_its_timeout(empty_db_settings, postgres_server, monkeypatch, lambda_context):
    for key, value in postgres_server.environ(empty_db_settings.dbname).items():
        monkeypatch.setenv(key, value)

    def refused(settings):
        raise psycopg.OperationalError("connection refused")

    monkeypatch.setattr(migrations_handler.pg, "connect", refused)
    lambda_context.remaining_ms = 35_000  # less than the reserve plus one retry
    with pytest.raises(psycopg.OperationalError):
        migrations_handler.handler({}, lambda_context)


def test_handler_migrates_as_the_master_user_of_the_secret(
    empty_db_settings, postgres_server, monkeypatch, lambda_context, aws_env
):
    env = postgres_server.environ(empty_db_settings.dbname)
    with mock_aws():
        arn = boto3.client("secretsmanager", region_name="us-east-1").create_secret(
            Name="leasing-master",
            SecretString=json.dumps({"username": env["DB_USER"], "password": env["DB_PASSWORD"], "engine": "postgres"}),
        )["ARN"]
        for key, value in {**env, "DB_AUTH": "secret", "DB_SECRET_ARN": arn, "DB_PASSWORD": ""}.items():
            monkeypatch.setenv(key, value)
        assert migrations_handler.handler({}, lambda_context) == {"applied": SHIPPED, "version": SHIPPED[-1]}


def test_secret_auth_needs_the_secret_and_tls():
    with pytest.raises(pg.SettingsError) as error:
        pg.ConnectionSettings.from_env(
            {
                "DB_HOST": "h",
                "DB_NAME": "d",
                "DB_USER": "u",
                "DB_AUTH": "secret",
                "DB_SSLMODE": "disable",
                "AWS_REGION": "us-east-1",
            }
        )
    assert "needs DB_SECRET_ARN" in str(error.value) and "auth 'secret' needs TLS" in str(error.value)
