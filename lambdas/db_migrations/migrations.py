"""Versioned SQL migrations: each file applied exactly once, in order, in its own transaction.

Files are ``sql/NNNN_some_name.sql`` with versions 1, 2, 3... without gaps. The database records
every applied version with the SHA-256 of its file in ``schema_migrations``; an applied file that
changed since, a version the database knows but the code does not, or a gap stops the run before
anything is applied. Concurrent runners serialise on a transaction-scoped advisory lock (a
session lock would pin the RDS Proxy connection), and re-check what is applied under the lock.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

SQL_DIR = Path(__file__).resolve().parent / "sql"
_FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")
# Any fixed 64-bit number, the same for every runner of this schema ("leasing" in ASCII).
ADVISORY_LOCK_KEY = 0x6C656173696E67

_CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str
    checksum: str

    @classmethod
    def from_file(cls, path: Path) -> Migration:
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path.name}: migration files are named NNNN_lower_snake_name.sql")
        data = path.read_bytes()
        return cls(int(match["version"]), match["name"], data.decode("utf-8"), hashlib.sha256(data).hexdigest())


def discover(directory: Path = SQL_DIR) -> list[Migration]:
    if not directory.is_dir():
        raise MigrationError(f"no migrations directory {directory}")
    migrations = sorted(
        (Migration.from_file(p) for p in directory.iterdir() if p.suffix == ".sql"), key=lambda m: m.version
    )
    if not migrations:
        raise MigrationError(f"no migrations in {directory}")
    expected = list(range(1, len(migrations) + 1))
    found = [m.version for m in migrations]
    if found != expected:
        raise MigrationError(f"migration versions must be 1..{len(migrations)} without gaps or repeats, found {found}")
    return migrations


def _applied(cur: psycopg.Cursor) -> dict[int, dict]:
    cur.execute("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
    return {row["version"]: row for row in cur.fetchall()}


def _check_history(applied: dict[int, dict], migrations: list[Migration]) -> None:
    known = {m.version: m for m in migrations}
    unknown = sorted(set(applied) - set(known))
    if unknown:
        raise MigrationError(
            f"the database has migrations {unknown} that this code does not ship; "
            "deploy the code that added them (or newer)"
        )
    for version, row in applied.items():
        if row["checksum"] != known[version].checksum:
            raise MigrationError(
                f"migration {version:04d}_{row['name']} changed after it was applied "
                "(checksum differs); add a new migration instead of editing an applied one"
            )
    if applied and sorted(applied) != list(range(1, max(applied) + 1)):
        raise MigrationError(f"applied versions {sorted(applied)} have a gap")


def _lock(cur: psycopg.Cursor) -> None:
    cur.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,))


def apply_migrations(conn: psycopg.Connection, migrations: list[Migration] | None = None) -> dict:
    """Applies what is missing; returns ``{"applied": [versions], "version": current}``."""
    migrations = discover() if migrations is None else migrations
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        _lock(cur)
        cur.execute(_CREATE_LEDGER)
        _check_history(_applied(cur), migrations)

    applied_now: list[int] = []
    for migration in migrations:
        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            _lock(cur)
            applied = _applied(cur)
            _check_history(applied, migrations)  # another runner may have moved on meanwhile
            if migration.version in applied:
                continue
            try:
                cur.execute(migration.sql)
            except psycopg.Error as error:
                raise MigrationError(
                    f"migration {migration.version:04d}_{migration.name} failed and was rolled back: {error}"
                ) from error
            cur.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                (migration.version, migration.name, migration.checksum),
            )
        applied_now.append(migration.version)
    return {"applied": applied_now, "version": migrations[-1].version}
