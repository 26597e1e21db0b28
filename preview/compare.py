"""What a change does: the base report (``--format json`` of the target branch) against this run.

``compare(base, head)`` is a pure function of two JSON reports, so the pull-request job can run the
base once and diff any head against it (as Infracost's comment diffs base -> head). It gives:

- resources added (``create``), removed (``delete``), changed (``update``, with each changed input
  path and its values before and after), and ``replace`` when a resource moves to another Region or
  account (a provider cannot move a resource: the engine replaces it). Matched by URN, as the engine
  matches old and new state (pulumi/pulumi pkg/resource/deploy/step_generator.go);
- the cost change per resource and in total (``preview.cost_diff``, the cost pack's diff);
- findings new and fixed, matched by pack, policy, resource and text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .cost_diff import CostDiffError, cost_diff
from .engine import PreviewError
from .report import STACK_TYPE, _violation_text, resource_label, stack_urn

__all__ = ["CompareError", "compare", "load_base"]

_REQUIRED = {"project": str, "stack": str, "resources": list, "violations": list}


class CompareError(PreviewError):
    pass


def load_base(path: Path) -> dict:
    """The base report, refused with a message when it is not a preview JSON report."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CompareError(f"--compare-to: cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise CompareError(f"--compare-to: {path} is not JSON ({exc}); give the output of --format json") from None
    problems = [
        f"'{key}' ({kind.__name__})"
        for key, kind in _REQUIRED.items()
        if not isinstance(document, dict) or not isinstance(document.get(key), kind)
    ]
    if problems:
        raise CompareError(
            f"--compare-to: {path} is not a preview JSON report (missing {', '.join(problems)}); "
            "give the output of `python -m preview --format json`"
        )
    return document


def _changes(before: Any, after: Any, path: str = "") -> Iterator[dict]:
    """Changed input paths: objects are walked key by key (an absent object counts as empty, so an
    added tag reads ``tags.owner``); any other value is compared whole."""
    if isinstance(before, Mapping) and after is None:
        after = {}
    if isinstance(after, Mapping) and before is None:
        before = {}
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in sorted(set(before) | set(after)):
            yield from _changes(before.get(key), after.get(key), f"{path}.{key}" if path else str(key))
    elif before != after:
        yield {"path": path or "(value)", "before": before, "after": after}


def _path(urn: str) -> str:
    """A URN without its stack and project (``urn:pulumi:<stack>::<project>::``): base and head are
    the same stack in a pull request, and fixtures compare two config files of one project."""
    parts = urn.split("::", 2)
    return parts[2] if len(parts) == 3 else urn


def _summary(resource: dict) -> dict:
    return {k: resource.get(k) for k in ("urn", "type", "name", "parent", "custom", "id", "region", "account")}


def _in_stack(urn: str, document: dict) -> str:
    return f"urn:pulumi:{document['stack']}::{document['project']}::{_path(urn)}"


def _moves(before: dict, after: dict) -> list[dict]:
    """A custom resource's Region or account change, as changes of ``(region)`` / ``(account)``."""
    return [
        {"path": f"({what})", "before": before.get(what), "after": after.get(what)}
        for what in ("region", "account")
        if before.get("custom") and before.get(what) != after.get(what)
    ]


def _restacked_cost(base: dict, head: dict) -> dict:
    """The base report with its cost lines' URNs in the head's stack (cost_diff matches by URN)."""
    cost = base.get("cost")
    if not isinstance(cost, dict) or not isinstance(cost.get("resources"), list):
        return base
    lines = [
        {**r, "urn": _in_stack(r["urn"], head)} if isinstance(r, dict) and "urn" in r else r for r in cost["resources"]
    ]
    return {**base, "cost": {**cost, "resources": lines}}


def _finding_key(v: dict) -> tuple[str, str, str, str]:
    return (v["pack"], v["policy"], _path(v.get("urn") or ""), _violation_text(v["message"]))


def _findings(base: dict, head: dict) -> dict[str, list[dict]]:
    labels = {_path(r["urn"]): resource_label(r) for r in (*base["resources"], *head["resources"])}
    old = {_finding_key(v): v for v in base["violations"]}
    new = {_finding_key(v): v for v in head["violations"]}

    def listed(found: dict, keys: set) -> list[dict]:
        return [{**found[k], "resource": labels.get(k[2], "stack")} for k in sorted(keys)]

    return {"new": listed(new, new.keys() - old.keys()), "fixed": listed(old, old.keys() - new.keys())}


def compare(base: dict, head: dict, *, source: str = "base report") -> dict:
    """The diff document ``head["diff"]`` holds; renderers read it next to the head report."""
    old = {_path(r["urn"]): r for r in base["resources"] if r.get("type") != STACK_TYPE}
    new = {_path(r["urn"]): r for r in head["resources"] if r.get("type") != STACK_TYPE}
    entries = []
    for path in [*new, *(p for p in old if p not in new)]:  # head order, then what only the base had
        before, after = old.get(path), new.get(path)
        if before is None:
            entries.append({"urn": new[path]["urn"], "op": "create", "resource": _summary(new[path]), "changes": []})
            continue
        if after is None:
            # Placed in the head's stack, so the plan hangs it under its (head) parent.
            urn = _in_stack(before["urn"], head)
            parent = _in_stack(before["parent"], head) if before.get("parent") else None
            entries.append(
                {
                    "urn": urn,
                    "op": "delete",
                    "resource": {**_summary(before), "urn": urn, "parent": parent},
                    "changes": [],
                }
            )
            continue
        urn = after["urn"]
        moves = _moves(before, after)
        changes = moves + list(_changes(before.get("inputs") or {}, after.get("inputs") or {}))
        if changes:
            entries.append(
                {"urn": urn, "op": "replace" if moves else "update", "resource": _summary(after), "changes": changes}
            )
    counts = {op: sum(1 for e in entries if e["op"] == op) for op in ("create", "update", "delete", "replace")}
    counts["same"] = 1 + len(new) - counts["create"] - counts["update"] - counts["replace"]  # 1: the stack
    try:
        cost = cost_diff(_restacked_cost(base, head), head) if (base.get("cost") or head.get("cost")) else None
    except CostDiffError as exc:
        raise CompareError(f"--compare-to: {exc}") from None
    return {
        "base": {"project": base["project"], "stack": base["stack"], "source": source, "stackUrn": stack_urn(base)},
        "resources": entries,
        "counts": counts,
        "cost": cost,
        "findings": _findings(base, head),
    }
