"""Lambda entry point: apply pending migrations through RDS Proxy, report the schema version.

The stack runs this as a deployment step (a Lambda invocation whose trigger is the hash of the SQL
files), so a failing migration fails the deployment instead of surfacing in the API later. On the
first deployment the proxy can still be registering its target when this runs, so connecting is
retried until shortly before the function's own timeout.
"""

from __future__ import annotations

import time

import psycopg
from aws_lambda_powertools import Logger

from . import migrations, pg

logger = Logger()
RETRY_SECONDS = 10
RESERVE_MS = 30_000  # left for the migrations themselves


def connect_when_ready(settings: pg.ConnectionSettings, time_left_ms) -> psycopg.Connection:
    attempt = 0
    while True:
        attempt += 1
        try:
            return pg.connect(settings)
        except psycopg.OperationalError as error:
            if time_left_ms() < RESERVE_MS + RETRY_SECONDS * 1000:
                raise
            logger.warning("database not reachable yet; retrying", extra={"attempt": attempt, "error": str(error)})
            time.sleep(RETRY_SECONDS)


@logger.inject_lambda_context
def handler(event, context):
    known = migrations.discover()
    settings = pg.ConnectionSettings.from_env(application_name="leasing-migrations")
    with connect_when_ready(settings, context.get_remaining_time_in_millis) as conn:
        result = migrations.apply_migrations(conn, known)
    logger.info("schema migrations", extra=result)
    return result
