"""Python Lambda functions: a deterministic archive of ``lambdas/<name>/`` and the function around it.

The archive holds the function's package folder (``<name>/``) and its third-party dependencies from
``lambdas/<name>/requirements.txt``, built for arm64 Linux (manylinux aarch64 wheels only). It is
cached under ``.build/lambda/`` by the hash of everything that goes into it, and written with fixed
timestamps and modes so the same inputs give the same bytes (and no spurious Lambda update).

``LambdaPackaging(build_dependencies=False)`` skips the dependency build: the archive then holds the
function's own code only, which is all the offline preview's fake AWS and the unit tests need.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components import iam
from components.providers import child_opts
from components.rules.formats import log_retention_problem

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LAMBDAS_DIR = PROJECT_ROOT / "lambdas"
BUILD_DIR = PROJECT_ROOT / ".build" / "lambda"
RUNTIME = "python3.13"
RUNTIME_PYTHON_VERSION = "3.13"
ARCHITECTURE = "arm64"
WHEEL_PLATFORM = "aarch64-manylinux2014"
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SKIPPED = {"__pycache__", ".pytest_cache"}
_VPC_ACCESS_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"


class LambdaBuildError(RuntimeError):
    pass


@dataclass(frozen=True)
class LambdaArchive:
    path: Path
    sha256_base64: str  # what Lambda reports as CodeSha256: base64 of the archive's SHA-256
    with_dependencies: bool


@dataclass(frozen=True)
class LambdaPackaging:
    """How the function archives are built; components take it in their Args and pass it on.

    build_dependencies=False ships each function's own code only: enough for the offline preview
    and unit tests, not for a deployed function (its third-party imports would fail).
    """

    build_dependencies: bool = True


CODE_ONLY = LambdaPackaging(build_dependencies=False)


def _source_files(source: Path) -> list[Path]:
    return sorted(
        p
        for p in source.rglob("*")
        if p.is_file() and not _SKIPPED.intersection(p.relative_to(source).parts) and p.suffix != ".pyc"
    )


def _content_hash(source: Path, with_dependencies: bool) -> str:
    digest = hashlib.sha256()
    digest.update(f"{RUNTIME}|{WHEEL_PLATFORM}|deps={with_dependencies}".encode())
    for path in _source_files(source):
        digest.update(path.relative_to(source).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _install_dependencies(requirements: Path, target: Path, extra_args: Sequence[str] = ()) -> None:
    # The project's environment ships uv (a pinned dependency); fall back to one on PATH.
    beside_python = Path(sys.executable).with_name("uv")
    uv = str(beside_python) if beside_python.is_file() else shutil.which("uv")
    if uv is None:
        raise LambdaBuildError("uv is needed to build Lambda dependencies; install it with `pip install uv`")
    command = [
        uv,
        "pip",
        "install",
        "--quiet",
        "--target",
        str(target),
        "--python-platform",
        WHEEL_PLATFORM,
        "--python-version",
        RUNTIME_PYTHON_VERSION,
        "--only-binary",
        ":all:",
        "-r",
        str(requirements),
        *extra_args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise LambdaBuildError(f"building dependencies from {requirements} failed:\n{result.stderr.strip()}")


def _write_zip(destination: Path, entries: list[tuple[str, Path]]) -> None:
    """Writes entries (archive name, file) sorted, with fixed times and modes."""
    tmp = destination.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, path in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    tmp.replace(destination)  # atomic: a cached archive is always complete


def build_archive(
    name: str,
    *,
    with_dependencies: bool,
    lambdas_dir: Path | None = None,
    build_dir: Path | None = None,
    pip_args: Sequence[str] = (),
) -> LambdaArchive:
    """Builds (or reuses) the archive of ``lambdas_dir/<name>`` (default: the project's lambdas/)."""
    lambdas_dir = lambdas_dir or LAMBDAS_DIR
    build_dir = build_dir or BUILD_DIR
    source = lambdas_dir / name
    if not (source / "__init__.py").is_file():
        raise LambdaBuildError(f"{source} is not a Lambda package (no __init__.py)")
    requirements = source / "requirements.txt"
    with_dependencies = (
        with_dependencies
        and requirements.is_file()
        and bool([line for line in requirements.read_text().splitlines() if line.strip() and not line.startswith("#")])
    )

    key = _content_hash(source, with_dependencies)
    build_dir.mkdir(parents=True, exist_ok=True)
    destination = build_dir / f"{name}-{key[:16]}.zip"
    if not destination.exists():
        entries = [(f"{name}/{p.relative_to(source).as_posix()}", p) for p in _source_files(source)]
        with tempfile.TemporaryDirectory(prefix=f"lambda-{name}-") as tmp:
            if with_dependencies:
                deps = Path(tmp)
                _install_dependencies(requirements, deps, pip_args)
                entries += [
                    (p.relative_to(deps).as_posix(), p)
                    for p in _source_files(deps)
                    if p.relative_to(deps).parts[0] != "bin"
                ]
            _write_zip(destination, entries)
    digest = hashlib.sha256(destination.read_bytes()).digest()
    return LambdaArchive(destination, base64.b64encode(digest).decode(), with_dependencies)


@dataclass(frozen=True)
class PythonFunctionArgs:
    """A Python Lambda function from ``lambdas/<source>/``.

    ``policy_statements`` are the function's own permissions (see ``components.iam.statement``);
    logging to its own log group is added here.
    """

    source: str
    memory_mb: int
    timeout_seconds: int
    description: str = ""
    handler: str = ""  # default: <source>.handler.handler
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    policy_statements: Sequence[iam.Statement] = ()
    subnet_ids: Sequence[pulumi.Input[str]] = ()
    security_group_ids: Sequence[pulumi.Input[str]] = ()
    reserved_concurrency: int | None = None
    log_retention_days: int = 30
    publish: bool = False
    dead_letter_target_arn: pulumi.Input[str] | None = None
    packaging: LambdaPackaging = LambdaPackaging()

    def __post_init__(self):
        if not (LAMBDAS_DIR / self.source / "__init__.py").is_file():
            raise ValueError(f"no Lambda package lambdas/{self.source}/ (with __init__.py)")
        if not 128 <= self.memory_mb <= 10240:
            raise ValueError(f"memory_mb must be between 128 and 10240, got {self.memory_mb}")
        if not 1 <= self.timeout_seconds <= 900:
            raise ValueError(f"timeout_seconds must be between 1 and 900, got {self.timeout_seconds}")
        if bool(self.subnet_ids) != bool(self.security_group_ids):
            raise ValueError("a function in a VPC needs both subnet_ids and security_group_ids")
        retention = log_retention_problem(self.log_retention_days)
        if retention:
            raise ValueError(f"log_retention_days {self.log_retention_days}: expected {retention}")


class PythonFunction(pulumi.ComponentResource):
    """A Lambda function with its role, its own log group (with retention) and its permissions."""

    def __init__(self, name: str, args: PythonFunctionArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:lambda:PythonFunction", name, None, opts)
        child = child_opts(self)

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", name_prefix=f"/aws/lambda/{name}-", retention_in_days=args.log_retention_days, opts=child
        )

        self.role = aws.iam.Role(
            f"{name}-role",
            path=iam.ROLE_PATH,
            assume_role_policy=iam.service_trust_policy("lambda.amazonaws.com"),
            description=f"Execution role of the {name} function",
            opts=child,
        )
        statements = [
            iam.statement(
                ["logs:CreateLogStream", "logs:PutLogEvents"], [self.log_group.arn.apply(lambda arn: f"{arn}:*")]
            ),
            *args.policy_statements,
        ]
        if args.dead_letter_target_arn is not None:
            statements.append(iam.statement(["sqs:SendMessage"], [args.dead_letter_target_arn]))
        self.role_policy = aws.iam.RolePolicy(
            f"{name}-policy", role=self.role.id, policy=iam.policy_document(statements), opts=child
        )
        dependencies: list[pulumi.Resource] = [self.role_policy]
        if args.subnet_ids:
            # ENI management for VPC access: the AWS-managed policy is the narrowest that works
            # (ec2:CreateNetworkInterface and the Describe calls take no resource-level scoping here).
            self.vpc_access = aws.iam.RolePolicyAttachment(
                f"{name}-vpc-access", role=self.role.name, policy_arn=_VPC_ACCESS_POLICY, opts=child
            )
            dependencies.append(self.vpc_access)

        archive = build_archive(args.source, with_dependencies=args.packaging.build_dependencies)
        self.function = aws.lambda_.Function(
            name,
            description=args.description or f"{args.source} ({pulumi.get_project()}/{pulumi.get_stack()})",
            runtime=RUNTIME,
            architectures=[ARCHITECTURE],
            handler=args.handler or f"{args.source}.handler.handler",
            code=pulumi.FileArchive(str(archive.path)),
            source_code_hash=archive.sha256_base64,
            role=self.role.arn,
            memory_size=args.memory_mb,
            timeout=args.timeout_seconds,
            reserved_concurrent_executions=args.reserved_concurrency,
            publish=args.publish,
            environment=aws.lambda_.FunctionEnvironmentArgs(
                variables={"POWERTOOLS_SERVICE_NAME": name, **args.environment}
            ),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=self.log_group.name),
            vpc_config=aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=list(args.subnet_ids),
                security_group_ids=list(args.security_group_ids),
            )
            if args.subnet_ids
            else None,
            dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=args.dead_letter_target_arn)
            if args.dead_letter_target_arn is not None
            else None,
            opts=child_opts(self, depends_on=dependencies),
        )
        self.arn = self.function.arn
        self.name = self.function.name
        self.register_outputs({"arn": self.function.arn, "name": self.function.name, "logGroup": self.log_group.name})
