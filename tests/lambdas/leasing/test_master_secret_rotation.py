"""The master secret's rotation function against moto's Secrets Manager and a real PostgreSQL.

Secrets Manager's own rotation drives it: moto's RotateSecret stages a new version AWSPENDING and
calls the four steps (its Lambda invoke is pointed at the handler in process); the database role's
password really changes and the secret's AWSCURRENT moves to the new version."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws
from moto.awslambda.models import LambdaBackend
from psycopg import sql

from lambdas.master_secret_rotation import handler
from lambdas.master_secret_rotation.rotation import Database, Rotation, RotationError

ROLE = "rotated_admin"


@pytest.fixture
def role(postgres_server):
    """A login role standing in for the Aurora master user (the server's own superuser stays put)."""
    password = "initial-password-1"
    with postgres_server.admin_connect() as admin:
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(ROLE)))
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(ROLE), sql.Literal(password)))
    return password


@pytest.fixture
def database(postgres_server) -> Database:
    return Database(
        host="localhost",
        port=postgres_server.port,
        dbname="postgres",
        sslmode="verify-full",
        sslrootcert=str(postgres_server.ca_file),
    )


@pytest.fixture
def secrets_manager(monkeypatch, postgres_server, lambda_context):
    """moto with Lambda invocations of the rotation function run here, as Secrets Manager would."""
    for key, value in {
        "DB_HOST": "localhost",
        "DB_PORT": str(postgres_server.port),
        "DB_NAME": "postgres",
        "DB_SSLMODE": "verify-full",
        "DB_SSLROOTCERT": str(postgres_server.ca_file),
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "rotation",
    }.items():
        monkeypatch.setenv(key, value)
    steps: list[str] = []

    def invoke(self, function_name, qualifier, body, headers, response_headers):
        event = json.loads(body)
        steps.append(event["Step"])
        handler.handler(event, lambda_context)
        return b""

    monkeypatch.setattr(LambdaBackend, "invoke", invoke)
    with mock_aws():
        iam = boto3.client("iam")
        role_arn = iam.create_role(RoleName="rotation", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        function = boto3.client("lambda").create_function(
            FunctionName="rotation",
            Runtime="python3.13",
            Role=role_arn,
            Handler="handler.handler",
            Code={"ZipFile": b"fake"},
        )
        yield boto3.client("secretsmanager"), function["FunctionArn"], steps


def _can_login(database: Database, password: str) -> bool:
    return database.can_login({"username": ROLE, "password": password})


def test_a_rotation_changes_the_password_in_the_database_and_the_secret(secrets_manager, role, database):
    client, function_arn, steps = secrets_manager
    client.create_secret(Name="master", SecretString=json.dumps({"username": ROLE, "password": role}))
    client.rotate_secret(
        SecretId="master",
        RotationLambdaARN=function_arn,
        RotationRules={"AutomaticallyAfterDays": 30},
        RotateImmediately=True,
    )
    assert steps == ["createSecret", "setSecret", "testSecret", "finishSecret"]
    current = json.loads(client.get_secret_value(SecretId="master")["SecretString"])
    assert current["username"] == ROLE and current["password"] != role and len(current["password"]) == 40
    assert _can_login(database, current["password"]) and not _can_login(database, role)
    previous = json.loads(client.get_secret_value(SecretId="master", VersionStage="AWSPREVIOUS")["SecretString"])
    assert previous["password"] == role


def test_every_step_can_run_again(secrets_manager, role, database):
    """Secrets Manager retries a step that failed or timed out: repeating each one changes nothing."""
    client, _, _ = secrets_manager
    client.create_secret(Name="master", SecretString=json.dumps({"username": ROLE, "password": role}))
    client.rotate_secret(SecretId="master", RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False)
    # moto without a function promotes at once; stage a pending version by hand as RotateSecret does.
    token = "11111111-2222-3333-4444-555555555555"
    rotation = Rotation(client, database, password=lambda: "second-password-2")
    client.put_secret_value(
        SecretId="master",
        ClientRequestToken=token,
        VersionStages=["AWSPENDING"],
        SecretString=json.dumps({"username": ROLE, "password": "second-password-2"}),
    )
    for step in (
        "createSecret",
        "createSecret",
        "setSecret",
        "setSecret",
        "testSecret",
        "finishSecret",
        "finishSecret",
    ):
        rotation.run("master", token, step)
    assert _can_login(database, "second-password-2")
    current = client.get_secret_value(SecretId="master", VersionStage="AWSCURRENT")
    assert json.loads(current["SecretString"])["password"] == "second-password-2"


def test_a_version_not_staged_for_rotation_is_refused(secrets_manager, role, database):
    client, _, _ = secrets_manager
    client.create_secret(Name="master", SecretString=json.dumps({"username": ROLE, "password": role}))
    client.rotate_secret(SecretId="master", RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False)
    with pytest.raises(RotationError, match="has no version"):
        Rotation(client, database).run("master", "99999999-2222-3333-4444-555555555555", "createSecret")
    with pytest.raises(RotationError, match="unknown step"):
        Rotation(client, database).run("master", "x", "deleteSecret")


def test_set_fails_clearly_when_no_known_password_logs_in(secrets_manager, role, database):
    client, _, _ = secrets_manager
    client.create_secret(Name="master", SecretString=json.dumps({"username": ROLE, "password": "wrong-password-0"}))
    client.rotate_secret(SecretId="master", RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False)
    token = "11111111-2222-3333-4444-555555555556"
    client.put_secret_value(
        SecretId="master",
        ClientRequestToken=token,
        VersionStages=["AWSPENDING"],
        SecretString=json.dumps({"username": ROLE, "password": "third-password-3"}),
    )
    with pytest.raises(RotationError, match="cannot log in as rotated_admin"):
        Rotation(client, database).run("master", token, "setSecret")
    assert _can_login(database, role)  # untouched
