"""Rules of architecture B (private REST APIs across accounts) and B2 (the two-Region private API)."""

from __future__ import annotations

import re

PATTERN_FRONT_DOOR = "regional-front-door"
PATTERN_VPC_LAMBDA = "vpc-lambda"
PATTERN_MTLS_PROXY = "mtls-proxy"
PATTERNS = (PATTERN_FRONT_DOOR, PATTERN_VPC_LAMBDA, PATTERN_MTLS_PROXY)
AUTHORIZATION = ("AWS_IAM", "NONE")
BASE_PATH = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
# Where the mTLS proxy reads its PEM material: a Secrets Manager secret or an SSM parameter.
MTLS_MATERIAL_ARN = re.compile(
    r"^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+"
    r"|ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+)$"
)
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}$")


def pattern_problem(pattern: str) -> str | None:
    return None if pattern in PATTERNS else "one of " + ", ".join(PATTERNS)


def material_arn_problem(arn: str) -> str | None:
    return None if MTLS_MATERIAL_ARN.match(arn) else "a Secrets Manager secret ARN or an SSM parameter ARN"


def kms_key_arn_problem(arn: str) -> str | None:
    return None if KMS_KEY_ARN.match(arn) else "a KMS key ARN"


def base_path_problem(path: str) -> str | None:
    return None if BASE_PATH.match(path) else "a base path: letters, digits, . _ -"


def missing_mtls_material(patterns: frozenset[str] | tuple[str, ...], material: dict[str, str]) -> list[str]:
    """The names in ``material`` (certificate, key, client CA) left empty while the mTLS proxy is on."""
    return [name for name, value in material.items() if not value] if PATTERN_MTLS_PROXY in patterns else []


def nothing_to_call_problem(
    patterns: frozenset[str] | tuple[str, ...], allowed_vpce_ids: tuple[str, ...]
) -> str | None:
    """A private API must be reachable from somewhere: a pattern of this stack, or named endpoints."""
    if patterns or allowed_vpce_ids:
        return None
    return "at least one pattern, or allowed VPC endpoint ids naming the endpoints that may call the API"
