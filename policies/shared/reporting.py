"""What the packs' rule wrappers share: reviewed exceptions that carry their reason, the report of a
rule's own crash, and the glob both match with. Linked into each pack that wraps its rules
(``policies/<pack>/<pack>_rules/reporting.py -> ../../shared/reporting.py``), as ``values.py`` is.

Reviewed exceptions (waivers)
-----------------------------
A rule's ``exceptions`` config lists ``{resource, token, reason}`` (and optionally ``rule``, which
must name the rule it is listed under). ``resource`` is a glob on the name or URN of the resource a
finding is reported on, ``token`` a glob on the finding's token; at least one of them, so an
exception never waives everything. The reason is required: an exception without one waives nothing
and is itself reported, so every waived finding has a reason a reviewer can read.

A rule's crash
--------------
pulumi-policy 1.21.0 does not return a policy's exception over gRPC (pulumi_policy/policy.py
``Analyze``/``AnalyzeStack`` catch only ``UnknownValueError`` and not-applicable), so the wrappers
report it as a violation of the rule: a mandatory rule fails closed instead of passing.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=65536)
def _glob(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE)


def glob_match(pattern: str, text: str, case_sensitive: bool = True) -> bool:
    """Shell-style match where only ``*`` and ``?`` are wildcards (ARNs and tokens hold ``[``, ``:``)."""
    return _glob(pattern, case_sensitive).fullmatch(text) is not None


def exceptions_schema(example_token: str, defaults: Sequence[Mapping[str, str]] = ()) -> dict[str, Any]:
    """The config schema of a rule's ``exceptions``; ``defaults`` are the exceptions a pack ships."""
    for entry in defaults:
        assert entry.get("reason"), "a shipped exception needs its reason"
    return {
        "type": "array",
        "description": (
            "Reviewed exceptions: each {resource, token, reason} (an optional `rule` must name this "
            "rule). `resource` is a glob on the resource's name or URN, `token` a glob on the finding's "
            f"token (e.g. {example_token}); at least one of them. `reason` is required: an exception "
            "without one waives nothing and is reported as a violation."
        ),
        "items": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "rule": {"type": "string"},
                "resource": {"type": "string"},
                "token": {"type": "string"},
                "reason": {"type": "string"},
            },
        },
        "default": [dict(entry) for entry in defaults],
    }


@dataclass(frozen=True)
class Waiver:
    index: int
    resource: str | None
    token: str | None
    reason: str
    rule: str | None = None  # optional; must match the rule whose config lists the exception
    listed_under: str = ""

    @property
    def problem(self) -> str | None:
        if self.rule is not None and not glob_match(self.rule, self.listed_under):
            return (
                f"names rule {self.rule!r} but is listed under {self.listed_under}: move it to that rule's exceptions"
            )
        if not self.reason.strip():
            return "has no reason: write down why this is acceptable, or remove the exception"
        if not (self.resource or self.token):
            return "names neither a resource nor a token: it would waive everything"
        return None

    def targets(self, res: Any) -> bool:
        """Whether ``res`` (anything with ``name`` and ``urn``) is the resource this exception names."""
        if self.resource is None:
            return True
        return res is not None and (glob_match(self.resource, res.name) or glob_match(self.resource, res.urn))

    def covers(self, finding: Any, res: Any = None) -> bool:
        """Whether it waives ``finding`` (its ``token``, and ``qualified_token`` when it has one),
        reported on ``finding.resource`` or else on ``res``."""
        if not self.targets(getattr(finding, "resource", None) or res):
            return False
        tokens = (finding.token, getattr(finding, "qualified_token", finding.token))
        return self.token is None or any(glob_match(self.token, token) for token in tokens)

    def describe(self) -> str:
        parts = [f"resource={self.resource!r}" if self.resource else "", f"token={self.token!r}" if self.token else ""]
        return f"exception #{self.index} ({', '.join(p for p in parts if p) or 'no target'})"


def waivers(entries: Iterable[Mapping[str, Any]], rule: str) -> list[Waiver]:
    """The ``exceptions`` config of ``rule`` as waivers (those with a problem waive nothing)."""
    return [
        Waiver(i, e.get("resource") or None, e.get("token") or None, str(e.get("reason") or ""), e.get("rule"), rule)
        for i, e in enumerate(entries)
    ]


def crash_message(rule: str, error: BaseException, subject: str | None = None) -> str:
    """The violation reported when a rule's own code raised ``error``: where, and that it is a bug."""
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return (
        f"{subject + ': ' if subject else ''}internal error in rule {rule}: {type(error).__name__}: {error} "
        f"(at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}). The rule could not finish; "
        "report this as a bug in the policy pack."
    )
