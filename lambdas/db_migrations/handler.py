"""Lambda entry point: apply pending migrations through RDS Proxy, report the schema version.

The stack runs this as a deployment step (a Lambda invocation whose trigger is the hash of the SQL
files), so a failing migration fails the deployment instead of surfacing in the API later.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

from . import migrations, pg

logger = Logger()


@logger.inject_lambda_context
def handler(event, context):
    known = migrations.discover()
    settings = pg.ConnectionSettings.from_env(application_name="leasing-migrations")
    with pg.connect(settings) as conn:
        result = migrations.apply_migrations(conn, known)
    logger.info("schema migrations", extra=result)
    return result
