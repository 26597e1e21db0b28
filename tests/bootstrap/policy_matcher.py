"""A small IAM identity-policy evaluator: is this request allowed by these Allow statements?

Enough of the IAM evaluation logic for the deploy role (IAM user guide, "Policy evaluation logic"
and "IAM JSON policy elements: Condition operators"): Action and Resource match as
case-insensitive / case-sensitive globs (``*`` and ``?``); a statement applies only when every
condition holds. Supported operators: StringEquals, StringLike and their ``IfExists`` forms (an
absent key satisfies an ``IfExists`` condition and fails the plain one). The deploy role has no
Deny statements, so an explicit deny is not modelled.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    action: str
    resource: str = "*"
    context: Mapping[str, str] = field(default_factory=dict)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _condition_holds(operator: str, key: str, wanted: Any, context: Mapping[str, str]) -> bool:
    base, if_exists = (operator[: -len("IfExists")], True) if operator.endswith("IfExists") else (operator, False)
    if key not in context:
        return if_exists
    value = context[key]
    if base == "StringEquals":
        return value in _as_list(wanted)
    if base == "StringLike":
        return any(fnmatch.fnmatchcase(value, pattern) for pattern in _as_list(wanted))
    raise ValueError(f"condition operator {operator} is not modelled")


def statement_allows(statement: Mapping[str, Any], request: Request) -> bool:
    if statement.get("Effect") != "Allow":
        return False
    if not any(fnmatch.fnmatch(request.action.lower(), a.lower()) for a in _as_list(statement["Action"])):
        return False
    if not any(fnmatch.fnmatchcase(request.resource, r) or r == "*" for r in _as_list(statement["Resource"])):
        return False
    return all(
        _condition_holds(operator, key, wanted, request.context)
        for operator, keys in (statement.get("Condition") or {}).items()
        for key, wanted in keys.items()
    )


def allows(statements: Iterable[Mapping[str, Any]], request: Request) -> bool:
    return any(statement_allows(s, request) for s in statements)
