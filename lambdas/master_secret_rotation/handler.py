"""Lambda entry point that Secrets Manager calls for each rotation step of the master secret.

Environment: ``DB_HOST`` (the global database's writer endpoint, which follows switchovers and
failovers), ``DB_PORT``, ``DB_NAME``, ``DB_SSLMODE``, ``DB_SSLROOTCERT``.
"""

from __future__ import annotations

import os

import boto3
from aws_lambda_powertools import Logger

from .rotation import Database, Rotation

logger = Logger()


def database() -> Database:
    env = os.environ
    return Database(
        host=env["DB_HOST"],
        port=int(env.get("DB_PORT", "5432")),
        dbname=env["DB_NAME"],
        sslmode=env.get("DB_SSLMODE", "verify-full"),
        sslrootcert=env.get("DB_SSLROOTCERT", "system"),
    )


@logger.inject_lambda_context
def handler(event, context):
    logger.info("rotation step", extra={"step": event.get("Step"), "secret": event.get("SecretId")})
    Rotation(boto3.client("secretsmanager"), database()).run(
        event["SecretId"], event["ClientRequestToken"], event["Step"]
    )
