"""Request bodies of the lease API, checked with JSON Schema; every problem is reported at once."""

from __future__ import annotations

from datetime import date, datetime

from jsonschema import Draft202012Validator, FormatChecker

_formats = FormatChecker(["date", "email", "uuid"])


@_formats.checks("date-time", raises=ValueError)
def _is_aware_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("date-time needs a UTC offset")
    return True


_IDEMPOTENCY_KEY = {"type": "string", "minLength": 8, "maxLength": 128, "pattern": "^[A-Za-z0-9._:-]+$"}
_IDENTIFIER = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9._-]+$"}
_CENTS = {"type": "integer", "minimum": 1, "maximum": 100_000_000}

SUBMIT_APPLICATION = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "client_request_id",
        "community_id",
        "unit_id",
        "applicant",
        "desired_move_in",
        "lease_term_months",
        "monthly_rent_cents",
    ],
    "properties": {
        "client_request_id": _IDEMPOTENCY_KEY,
        "community_id": _IDENTIFIER,
        "unit_id": _IDENTIFIER,
        "applicant": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "email"],
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 200},
                "email": {"type": "string", "format": "email", "maxLength": 254},
            },
        },
        "desired_move_in": {"type": "string", "format": "date"},
        "lease_term_months": {"type": "integer", "minimum": 1, "maximum": 36},
        "monthly_rent_cents": _CENTS,
    },
}

APPROVE_APPLICATION = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"start_date": {"type": "string", "format": "date"}},
}

RECORD_PAYMENT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["payment_reference", "amount_cents", "billing_period", "received_at"],
    "properties": {
        "payment_reference": _IDEMPOTENCY_KEY,
        "amount_cents": _CENTS,
        "billing_period": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"},
        "received_at": {"type": "string", "format": "date-time"},
    },
}


class RequestError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def validate(schema: dict, body: object) -> dict:
    validator = Draft202012Validator(schema, format_checker=_formats)
    problems = []
    for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "body"
        problems.append(f"{where}: {error.message}")
    if problems:
        raise RequestError(problems)
    return body  # type: ignore[return-value]


def parse_date(value: str) -> date:
    return date.fromisoformat(value)


def parse_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)
