"""IAM policy documents (identity, resource and key policies) as statements, and the one question
the wiring rules ask of them: does this document let ``principal`` do ``action`` on ``resource``
when the call comes from ``source_arn``?

Evaluation follows the IAM policy evaluation logic for a single policy
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html): an
explicit Deny that applies wins, else an Allow that applies grants. Conditions the pack can
evaluate (``aws:SourceArn``, ``aws:SourceAccount``, ``aws:SourceOwner``) are evaluated; any other
condition is assumed to hold, so a finding is never made on a condition the pack cannot judge.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ._core import Res, Undecided, UndecidedError, Unknown, as_list, glob_match
from .values import first_unknown


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    principals: Mapping[str, tuple[str, ...]] | None  # None: an identity policy (no Principal)
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...]  # (operator, key, values)


class DocumentError(ValueError):
    pass


@lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[Statement, ...]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        raise DocumentError(f"is not JSON ({error.msg})") from None
    if not isinstance(doc, Mapping):
        raise DocumentError("is not a JSON object")
    out = []
    for raw in as_list(doc.get("Statement")):
        if not isinstance(raw, Mapping):
            continue
        principals = None
        if "Principal" in raw:
            principal = raw["Principal"]
            principals = (
                {"*": ("*",)}
                if principal == "*"
                else {k: tuple(str(v) for v in as_list(vals)) for k, vals in dict(principal).items()}
            )
        conditions = tuple(
            (op, key, tuple(str(v) for v in as_list(values)))
            for op, block in dict(raw.get("Condition") or {}).items()
            for key, values in dict(block).items()
        )
        out.append(
            Statement(
                str(raw.get("Effect", "")),
                tuple(str(a) for a in as_list(raw.get("Action"))),
                tuple(str(a) for a in as_list(raw.get("NotAction"))),
                tuple(str(r) for r in as_list(raw.get("Resource"))) or ("*",),
                principals,
                conditions,
            )
        )
    return tuple(out)


def statements(document: Any, owner: Res, where: str) -> tuple[Statement, ...]:
    """The statements of a policy given as JSON text or as a dict. An unknown document raises
    :class:`UndecidedError`; one that is not a policy raises :class:`DocumentError`."""
    if document is None or document == "":
        return ()
    if isinstance(document, Unknown):
        raise UndecidedError(Undecided(owner, document.path, f"the policy at {where}"))
    if isinstance(document, Mapping):
        if first_unknown(document) is not None:  # a document with unknown parts in it
            raise UndecidedError(Undecided(owner, where, "the policy document"))
        document = json.dumps(document, sort_keys=True, default=str)
    if not isinstance(document, str):
        raise DocumentError(f"{where} of {owner.name} is not a policy document")
    return _parse(document)


def _action_applies(statement: Statement, action: str) -> bool:
    if statement.not_actions:
        return not any(glob_match(p, action, False) for p in statement.not_actions)
    return any(glob_match(p, action, False) for p in statement.actions)


def _principal_applies(statement: Statement, service: str | None, account: str | None) -> bool:
    if statement.principals is None:  # identity policy: applies to the identity it is attached to
        return True
    if "*" in statement.principals.get("*", ()) or "*" in statement.principals.get("AWS", ()):
        return True
    if service:  # a service principal is named as such; an account principal does not cover it
        return service in statement.principals.get("Service", ())
    # The account (root) as principal lets the account's identities in when their own policies allow
    # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts).
    return bool(account and any(account in p for p in statement.principals.get("AWS", ())))


_SOURCE_KEYS = {"aws:sourcearn": "arn", "aws:sourceaccount": "account", "aws:sourceowner": "account"}


def _conditions_hold(statement: Statement, context: Mapping[str, str | None]) -> bool | None:
    """True or False when every condition could be evaluated, None when one could not."""
    judged = True
    for operator, key, values in statement.conditions:
        which = _SOURCE_KEYS.get(key.lower())
        actual = context.get(which) if which else None
        if not which or actual is None:
            judged = False  # not a key the pack evaluates
            continue
        op = operator.lower().replace("ifexists", "")
        if op in ("arnequals", "stringequals"):
            ok = actual in values
        elif op in ("arnlike", "stringlike"):
            ok = any(glob_match(v, actual) for v in values)
        elif op in ("arnnotequals", "stringnotequals"):
            ok = actual not in values
        elif op in ("arnnotlike", "stringnotlike"):
            ok = not any(glob_match(v, actual) for v in values)
        else:
            continue
        if not ok:
            return False
    return True if judged else None


def allows(
    documents: Iterable[Statement],
    action: str,
    resource: str | None = None,
    *,
    service: str | None = None,
    source_arn: str | None = None,
    account: str | None = None,
) -> bool:
    """Whether the statements let the caller (a service principal, or the identity the policy is
    attached to) do ``action`` on ``resource`` (None: any resource) for a call from ``source_arn``."""
    context = {
        "arn": source_arn,
        "account": account or (source_arn.split(":")[4] if source_arn and source_arn.count(":") >= 5 else None),
    }
    allowed = False
    for statement in documents:
        if not _action_applies(statement, action):
            continue
        if resource is not None and not any(glob_match(p, resource) for p in statement.resources):
            continue
        if not _principal_applies(statement, service, context["account"]):
            continue
        holds = _conditions_hold(statement, context)
        if holds is False:
            continue
        if statement.effect == "Deny":
            if holds:  # a Deny counts only when it certainly applies; an Allow is assumed to (no finding on a guess)
                return False
            continue
        if statement.effect == "Allow":
            allowed = True
    return allowed
