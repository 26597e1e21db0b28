"""Single-user rotation of a PostgreSQL password kept in a Secrets Manager secret.

Secrets Manager calls the function four times per rotation, each with the secret, the new version's
token and the step (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html):

``createSecret``  a new password in a version staged ``AWSPENDING`` (once per token);
``setSecret``     the database user's password set to it, logged in with the current one (or the
                  previous, if a failed rotation already changed it);
``testSecret``    a login with the pending password;
``finishSecret``  ``AWSCURRENT`` moved to the new version.

Every step can run again (Secrets Manager retries): each one first checks whether its work is done.
The secret holds ``username`` and ``password``; where to connect comes from the function's settings.
A secret replicated to other Regions receives the new version from Secrets Manager
(https://docs.aws.amazon.com/secretsmanager/latest/userguide/replicate-secrets.html).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
# 40 URL-safe characters: within Aurora's 8-41 and free of '/', '"', '@' and spaces, which the
# master password may not contain
# (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html).
PASSWORD_BYTES = 30


class RotationError(RuntimeError):
    """The secret or the request is not in a state this step can act on."""


@dataclass(frozen=True)
class Database:
    host: str
    port: int
    dbname: str
    sslmode: str = "verify-full"
    sslrootcert: str = "system"
    connect_timeout: int = 5

    def connect(self, credentials: dict[str, Any]) -> psycopg.Connection:
        kwargs = dict(
            host=self.host,
            port=self.port,
            dbname=self.dbname,
            user=credentials["username"],
            password=credentials["password"],
            sslmode=self.sslmode,
            connect_timeout=self.connect_timeout,
            application_name="master-secret-rotation",
            autocommit=True,
        )
        if self.sslmode in ("verify-ca", "verify-full"):
            kwargs["sslrootcert"] = self.sslrootcert
        return psycopg.connect(**kwargs)

    def can_login(self, credentials: dict[str, Any]) -> bool:
        try:
            with self.connect(credentials) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.OperationalError:
            return False


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


class Rotation:
    def __init__(self, client, database: Database, password: Callable[[], str] = new_password):
        self.client, self.database, self.password = client, database, password

    def run(self, secret_id: str, token: str, step: str) -> None:
        if step not in STEPS:
            raise RotationError(f"unknown step {step!r}: expected one of {', '.join(STEPS)}")
        stages = self._stages(secret_id, token)
        if "AWSCURRENT" in stages:
            return  # this version is already current: nothing left to do
        if "AWSPENDING" not in stages:
            raise RotationError(f"version {token} of {secret_id} is not staged AWSPENDING")
        getattr(self, "_" + step.replace("Secret", ""))(secret_id, token)

    def _stages(self, secret_id: str, token: str) -> list[str]:
        metadata = self.client.describe_secret(SecretId=secret_id)
        if not metadata.get("RotationEnabled"):
            raise RotationError(f"rotation is not enabled on {secret_id}")
        versions = metadata.get("VersionIdsToStages", {})
        if token not in versions:
            raise RotationError(f"{secret_id} has no version {token}")
        return versions[token]

    def _value(self, secret_id: str, **version) -> dict[str, Any] | None:
        try:
            return json.loads(self.client.get_secret_value(SecretId=secret_id, **version)["SecretString"])
        except self.client.exceptions.ResourceNotFoundException:
            return None

    def _create(self, secret_id: str, token: str) -> None:
        if self._value(secret_id, VersionId=token, VersionStage="AWSPENDING") is not None:
            return
        current = self._value(secret_id, VersionStage="AWSCURRENT")
        self.client.put_secret_value(
            SecretId=secret_id,
            ClientRequestToken=token,
            VersionStages=["AWSPENDING"],
            SecretString=json.dumps({**current, "password": self.password()}),
        )

    def _set(self, secret_id: str, token: str) -> None:
        pending = self._value(secret_id, VersionId=token, VersionStage="AWSPENDING")
        if self.database.can_login(pending):
            return  # set by an earlier attempt
        for stage in ("AWSCURRENT", "AWSPREVIOUS"):
            known = self._value(secret_id, VersionStage=stage)
            if known is None or known["username"] != pending["username"] or not self.database.can_login(known):
                continue
            with self.database.connect(known) as conn:
                conn.execute(
                    sql.SQL("ALTER ROLE {} WITH PASSWORD {}").format(
                        sql.Identifier(pending["username"]), sql.Literal(pending["password"])
                    )
                )
            return
        raise RotationError(
            f"cannot log in as {pending['username']} with the current or previous password of "
            f"{secret_id} to set the new one"
        )

    def _test(self, secret_id: str, token: str) -> None:
        pending = self._value(secret_id, VersionId=token, VersionStage="AWSPENDING")
        if not self.database.can_login(pending):
            raise RotationError(f"the pending password of {secret_id} does not log in")

    def _finish(self, secret_id: str, token: str) -> None:
        versions = self.client.describe_secret(SecretId=secret_id)["VersionIdsToStages"]
        current = next(v for v, stages in versions.items() if "AWSCURRENT" in stages)
        self.client.update_secret_version_stage(
            SecretId=secret_id, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
        )
