"""PostgreSQL connections through RDS Proxy: an IAM auth token as the password, TLS verified.

One source file shared by the leasing functions (``lease_outbox_relay/pg.py`` and
``db_migrations/pg.py`` are symbolic links to this file, so each function's archive carries its own
copy and no function imports another's package).

Settings come from the environment the stack sets:

``DB_HOST``, ``DB_PORT`` (5432), ``DB_NAME``, ``DB_USER``
    the RDS Proxy endpoint and the database user the proxy maps to its Secrets Manager secret.
``DB_AUTH``
    ``iam`` (default): a fresh 15-minute token from ``generate_db_auth_token`` for every new
    connection; how the lease API and the relay connect, as ``leasing_app`` (migration 0003).
    ``secret`` (with ``DB_SECRET_ARN``): the password of the Secrets Manager secret, read at every
    new connection (so a rotation is picked up); only the migrations, as the master user.
    ``password`` (with ``DB_PASSWORD``): local servers and tests only.
``DB_SSLMODE`` (``verify-full``), ``DB_SSLROOTCERT`` (``system``: the OS trust store, which holds
    the Amazon Trust Services roots RDS Proxy certificates chain to).
``DB_HOST_IS_ALIAS`` (``false``)
    ``true`` when ``DB_HOST`` is the writer CNAME in the private hosted zone, which the failover
    function repoints at the proxy of the current primary. The CNAME is resolved at every new
    connection and the client connects to its target by name: the proxy certificate names the
    proxy endpoint, not the alias, so this keeps ``verify-full``; the IAM token is signed for the
    target and for the Region in its name (the writer may be in the other Region).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import boto3
import psycopg
from psycopg.rows import dict_row

T = TypeVar("T")

_TLS_MODES = ("require", "verify-ca", "verify-full")
_RDS_HOST_REGION = re.compile(r"\.([a-z]{2}(?:-[a-z]+)+-\d+)\.rds\.amazonaws\.com\.?$")
_ALL_SSL_MODES = ("disable", "allow", "prefer", *_TLS_MODES)
# The connection is on a server that can no longer take this work: 25006 read_only_sql_transaction
# (the writer was demoted by a switchover or failover of the global database and is now a
# read-only secondary), 57P0x the server is shutting down or restarting, 08xxx the connection is
# gone. Codes: https://www.postgresql.org/docs/15/errcodes-appendix.html. A fresh connection
# resolves the writer again (DB_HOST_IS_ALIAS) or reaches the proxy's new target.
_STALE_CONNECTION_SQLSTATES = {"25006", "57P01", "57P02", "57P03", "08000", "08003", "08006"}
# Also transient on the same connection: serialization failure and deadlock.
_RETRYABLE_SQLSTATES = {"40001", "40P01", *_STALE_CONNECTION_SQLSTATES}


class SettingsError(ValueError):
    """The environment does not describe a usable database connection."""


@dataclass(frozen=True)
class ConnectionSettings:
    host: str
    dbname: str
    user: str
    region: str
    port: int = 5432
    auth: str = "iam"
    password: str | None = None
    secret_arn: str | None = None
    sslmode: str = "verify-full"
    sslrootcert: str = "system"
    connect_timeout: int = 5
    application_name: str = "leasing"
    host_is_alias: bool = False

    def __post_init__(self) -> None:
        problems = []
        for key in ("host", "dbname", "user"):
            if not getattr(self, key):
                problems.append(f"{key} is empty")
        if self.auth not in ("iam", "secret", "password"):
            problems.append(f"auth must be 'iam', 'secret' or 'password', got {self.auth!r}")
        if self.auth == "secret" and not self.secret_arn:
            problems.append("auth 'secret' needs DB_SECRET_ARN")
        if self.auth == "iam" and not self.region:
            problems.append("auth 'iam' needs a region to sign the token")
        if self.auth in ("iam", "secret") and self.sslmode not in _TLS_MODES:
            # An IAM token is a bearer credential for 15 minutes: never send it in clear text.
            problems.append(
                f"auth {self.auth!r} needs TLS (sslmode one of {', '.join(_TLS_MODES)}), got {self.sslmode!r}"
            )
        if self.auth == "password" and not self.password:
            problems.append("auth 'password' needs DB_PASSWORD")
        if self.sslmode not in _ALL_SSL_MODES:
            problems.append(f"sslmode {self.sslmode!r} is not a libpq sslmode")
        if not 1 <= self.port <= 65535:
            problems.append(f"port {self.port} is out of range")
        if problems:
            raise SettingsError("database settings: " + "; ".join(problems))

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, application_name: str = "leasing"
    ) -> ConnectionSettings:
        env = os.environ if environ is None else environ
        try:
            port = int(env.get("DB_PORT", "5432"))
        except ValueError:
            raise SettingsError(f"database settings: DB_PORT must be a number, got {env.get('DB_PORT')!r}") from None
        return cls(
            host=env.get("DB_HOST", ""),
            port=port,
            dbname=env.get("DB_NAME", ""),
            user=env.get("DB_USER", ""),
            region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "")),
            auth=env.get("DB_AUTH", "iam"),
            password=env.get("DB_PASSWORD") or None,
            secret_arn=env.get("DB_SECRET_ARN") or None,
            sslmode=env.get("DB_SSLMODE", "verify-full"),
            sslrootcert=env.get("DB_SSLROOTCERT", "system"),
            application_name=application_name,
            host_is_alias=env.get("DB_HOST_IS_ALIAS", "false").lower() == "true",
        )


_rds_clients: dict[str, object] = {}


def rds_client(region: str):
    """Created lazily, once per Region, so tests can patch it and warm starts reuse it."""
    if region not in _rds_clients:
        _rds_clients[region] = boto3.client("rds", region_name=region)
    return _rds_clients[region]


def region_of_host(host: str, default: str) -> str:
    """The Region in an RDS host name (``<name>.proxy-<id>.<region>.rds.amazonaws.com``)."""
    match = _RDS_HOST_REGION.search(host)
    return match.group(1) if match else default


def resolve_alias(alias: str) -> str:
    """The target of a CNAME (the writer record), as the VPC resolver answers it now."""
    import dns.resolver  # imported here: only functions reaching the writer through the alias need it

    answer = dns.resolver.resolve(alias, "CNAME", lifetime=3)
    return answer[0].target.to_text(omit_final_dot=True)


def auth_token(settings: ConnectionSettings, host: str | None = None) -> str:
    """Signs an RDS IAM auth token locally (no network call); valid for 15 minutes."""
    host = host or settings.host
    region = region_of_host(host, settings.region)
    return rds_client(region).generate_db_auth_token(
        DBHostname=host, Port=settings.port, DBUsername=settings.user, Region=region
    )


def secret_password(settings: ConnectionSettings) -> str:
    """The ``password`` of the secret (an RDS secret's JSON: username, password, ...)."""
    value = boto3.client("secretsmanager", region_name=settings.region).get_secret_value(SecretId=settings.secret_arn)
    return json.loads(value["SecretString"])["password"]


def connect_kwargs(settings: ConnectionSettings) -> dict:
    host = resolve_alias(settings.host) if settings.host_is_alias else settings.host
    password = {
        "iam": lambda: auth_token(settings, host),
        "secret": lambda: secret_password(settings),
        "password": lambda: settings.password,
    }[settings.auth]()
    kwargs = dict(
        host=host,
        port=settings.port,
        dbname=settings.dbname,
        user=settings.user,
        password=password,
        sslmode=settings.sslmode,
        connect_timeout=settings.connect_timeout,
        application_name=settings.application_name,
    )
    if settings.sslmode in ("verify-ca", "verify-full"):
        kwargs["sslrootcert"] = settings.sslrootcert
    return kwargs


def connect(settings: ConnectionSettings) -> psycopg.Connection:
    conn = psycopg.connect(**connect_kwargs(settings), autocommit=True, row_factory=dict_row)
    # Server-side prepared statements pin the client to one backend connection in RDS Proxy,
    # which defeats pooling; plain parameterised queries do not.
    conn.prepare_threshold = None
    return conn


def is_stale_connection(error: BaseException) -> bool:
    if isinstance(error, psycopg.OperationalError) and getattr(error, "sqlstate", None) is None:
        return True  # connection-level failure (closed socket, proxy failover)
    return getattr(error, "sqlstate", None) in _STALE_CONNECTION_SQLSTATES


# What a proxy whose target is a secondary cluster of a global database answers on its read/write
# endpoint (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-gdb.html).
_PROXY_WITHOUT_WRITER = "doesn't have any associated read/write instances"


def is_proxy_without_writer(error: BaseException) -> bool:
    return _PROXY_WITHOUT_WRITER in str(error)


def is_transient(error: BaseException) -> bool:
    return is_stale_connection(error) or getattr(error, "sqlstate", None) in _RETRYABLE_SQLSTATES


class Database:
    """One connection per execution environment, reopened when the proxy drops it.

    ``transaction(work)`` runs ``work(cursor)`` in one transaction and retries it on a transient
    failure. Only idempotent work may be passed (every write here is keyed by a client-supplied
    idempotency key), because a commit whose acknowledgement was lost is retried. A connection
    that is stale (read-only after a switchover, shut down, lost) is closed whether or not the
    work is retried, so the next call never reuses it.
    """

    def __init__(
        self,
        settings: ConnectionSettings,
        attempts: int = 3,
        backoff_seconds: float = 0.2,
        connector: Callable[[ConnectionSettings], psycopg.Connection] = connect,
    ):
        self.settings = settings
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self._connector = connector
        self._conn: psycopg.Connection | None = None

    def connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = self._connector(self.settings)
        return self._conn

    def transaction(self, work: Callable[[psycopg.Cursor], T]) -> T:
        for attempt in range(1, self.attempts + 1):
            try:
                conn = self.connection()
                with conn.transaction(), conn.cursor() as cur:
                    return work(cur)
            except psycopg.Error as error:
                if is_stale_connection(error):
                    self.close()
                if attempt == self.attempts or not is_transient(error):
                    raise
                time.sleep(self.backoff_seconds * attempt)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
