"""Markdown rendering of the preview document, for pull-request comments.

With ``--compare-to``, first what the change does (the plan of changed resources, changed inputs,
findings new and fixed, the cost change); then the plan (resource counts per component, Region and
account), the cost table and the findings per pack and rule, each rule expandable to its resources,
with the reviewed exceptions and their reasons. Reads only the JSON document
(``report.build_document``), like the other renderers. The architectures' data-flow diagrams are
static (docs/diagrams.md): a diagram generated from resources shows where things are, not how
requests flow.
"""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from typing import Any

from .report import (
    _money,
    _short_type,
    _violation_text,
    cost_component_rows,
    cost_notes,
    findings_by_pack,
    plan_lines,
    resource_label,
)

__all__ = ["render_markdown"]

_STACK_TYPE = "pulumi:pulumi:Stack"


def _cell(text: Any) -> str:
    """Data in a table cell or list item: one line, pipes escaped, HTML shown as text (GitHub renders
    raw HTML in comments)."""
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\n", " ")


def _top_components(document: dict) -> list[dict]:
    """Components not inside another component (the architectures and stack-wide pieces)."""
    components = {r["urn"] for r in document["resources"] if not r["custom"] and r["type"] != _STACK_TYPE}
    return [r for r in document["resources"] if r["urn"] in components and r["parent"] not in components]


def _component_of(document: dict) -> dict[str, str]:
    """Maps every resource URN to the URN of its top-level component (or itself)."""
    parents = {r["urn"]: r["parent"] for r in document["resources"]}
    tops = {r["urn"] for r in _top_components(document)}
    owner: dict[str, str] = {}
    for urn in parents:
        cursor, seen = urn, set()
        while cursor and cursor not in tops and cursor not in seen:
            seen.add(cursor)
            cursor = parents.get(cursor)
        owner[urn] = cursor if cursor is not None and cursor in tops else urn
    return owner


def _plan(document: dict) -> list[str]:
    by_urn = {r["urn"]: r for r in document["resources"]}
    owner = _component_of(document)
    rows: dict[str, Counter] = defaultdict(Counter)
    for r in document["resources"]:
        if r["custom"] and not r["type"].startswith("pulumi:providers:"):
            top = by_urn.get(owner[r["urn"]], {})
            rows[top.get("name", "-") if not top.get("custom", True) else "(stack)"][
                f"{r['account'] or '-'} / {r['region'] or 'global'}"
            ] += 1
    lines = ["| component | account / Region | resources |", "|---|---|---:|"]
    for component in sorted(rows):
        for place, count in sorted(rows[component].items()):
            lines.append(f"| {_cell(component)} | {_cell(place)} | {count} |")
    types = document["summary"]["byType"]
    lines += ["", "<details><summary>Resources by type</summary>", "", "| type | count |", "|---|---:|"]
    lines += [f"| `{_short_type(t)}` | {n} |" for t, n in types.items()]
    lines += ["", "</details>"]
    return lines


def _cost(document: dict) -> list[str]:
    cost = document.get("cost")
    if not cost:
        return ["_No cost estimate: no policy pack reported `monthly-cost-estimate`._"]
    currency = cost.get("currency", "USD")
    lines = [f"| component | monthly {currency} |", "|---|---:|"]
    lines += [f"| {_cell(name)} | {_money(value)} |" for name, value in sorted((cost.get("byComponent") or {}).items())]
    if "fixed" in cost:
        lines.append(f"| fixed (billed with no traffic) | {_money(cost.get('fixed'))} |")
        lines.append(f"| usage (declared) | {_money(cost.get('usage'))} |")
    lines.append(f"| **total** | **{_money(cost.get('total'))}** |")
    if cost.get("low") is not None and cost.get("high") is not None:
        lines.append(
            f"| range: idle floor to ceiling the inputs allow | {_money(cost['low'])} to {_money(cost['high'])} |"
        )
    budget = cost.get("budget")
    if budget is not None and not cost.get("budgetVerdict"):  # an estimate without its own verdict
        verdict = "over budget" if float(cost.get("total") or 0) > float(budget) else "within budget"
        lines.append(f"| budget | {_money(budget)} ({verdict}) |")
    if cost.get("budgetVerdict"):
        lines += ["", f"**Budget**: {_cell(cost['budgetVerdict'])}."]
    notes = cost_notes(cost)
    if notes:
        lines += ["", *[f"- {_cell(note)}" for note in notes]]
    rows = cost_component_rows(cost)
    if rows:
        lines += [
            "",
            "<details><summary>Cost components per resource</summary>",
            "",
            "| resource | component | quantity x unit price | kind | monthly |",
            "|---|---|---|---|---:|",
        ]
        lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
        lines += ["", "</details>"]
    return lines


_LEVEL_ICON = {"mandatory": "❌", "remediate": "❌", "advisory": "⚠️"}


def _code(text: str) -> str:
    """Inline code that survives backticks in the data."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _findings(document: dict) -> list[str]:
    """Per pack, one expandable entry per rule: the finding text and the resources it applies to
    (mandatory rules open), then the reviewed exceptions with their reasons."""
    lines: list[str] = []
    for pack in findings_by_pack(document):
        icon = {"fail": "❌", "warn": "⚠️", "pass": "✅"}[pack.status]
        version = f"@v{pack.version}" if pack.version else ""
        found = (
            f"{sum(r.count for r in pack.rules)} finding(s) in {len(pack.rules)} rule(s)"
            if pack.rules
            else "no findings"
        )
        lines += [f"{icon} **{html.escape(pack.name)}**{version}: {found}", ""]
        for rule in pack.rules:
            opened = " open" if _LEVEL_ICON.get(rule.level) == "❌" else ""
            resources = f"{rule.count} resources" if rule.count > 1 else html.escape(next(iter(rule.texts.values()))[0])
            lines += [
                f"<details{opened}><summary>{_LEVEL_ICON.get(rule.level, '')} {rule.level} "
                f"<code>{html.escape(rule.policy)}</code> ({resources}): {html.escape(rule.description)}</summary>",
                "",
            ]
            for text, labels in rule.texts.items():
                lines.append(f"- {_cell(text)}")
                lines += [f"  - {_code(label)}" for label in labels] if rule.count > 1 else []
            lines += ["", "</details>", ""]
        if pack.exceptions:
            lines += [
                f"Reviewed exceptions of {html.escape(pack.name)} (their findings are not reported):",
                "",
                "| policy | resource | token | reason |",
                "|---|---|---|---|",
            ]
            lines += [
                f"| {_code(e['policy'])} | {_cell(e.get('resource') or '')} | {_cell(e.get('token') or '')} | "
                f"{_cell(e.get('reason') or '(none)')} |"
                for e in pack.exceptions
            ]
            lines.append("")
    return lines or ["No policy packs ran."]


def _value(value: Any) -> str:
    """An input value as inline code in a table cell (code spans show HTML as text; pipes still split cells)."""
    text = "(none)" if value is None else value if isinstance(value, str) else json.dumps(value, default=str)
    return _code(text if len(text) <= 120 else text[:117] + "...").replace("|", "\\|").replace("\n", " ")


def _change(document: dict) -> list[str]:
    """The base -> head section: the plan of what changes, changed inputs, findings new and fixed, cost."""
    diff = document["diff"]
    counts = diff["counts"]
    lines = [
        f"Compared to `{diff['base']['stack']}` of the base ({_cell(diff['base']['source'])}): "
        + ", ".join(f"{counts[op]} to {op}" for op in ("create", "update", "replace", "delete") if counts[op])
        + (f", {counts['same']} unchanged" if counts.get("same") else ""),
        "",
    ]
    changed = diff["resources"]
    if changed:
        # GitHub colours a diff block by the first column: the operation symbol.
        lines += ["```diff", *(line[1:] for line in plan_lines(document)[1:]), "```", ""]
    inputs = [e for e in changed if e["op"] in ("update", "replace")]
    if inputs:
        lines += ["| resource | input | before | after |", "|---|---|---|---|"]
        for entry in inputs:
            label = _cell(resource_label(entry["resource"]))
            lines += [
                f"| {label} | {_value(c['path'])} | {_value(c['before'])} | {_value(c['after'])} |"
                for c in entry["changes"]
            ]
        lines.append("")
    for kind, icon in (("new", "🆕"), ("fixed", "✅")):
        found = diff["findings"][kind]
        lines.append(f"{icon} **Findings {kind}**: {len(found)}")
        lines += [
            f"- {v['level']} {_code(v['policy'])} ({_cell(v['pack'])}) {_code(v['resource'])}: "
            f"{_cell(_violation_text(v['message']))}"
            for v in found
        ]
        lines.append("")
    cost = diff.get("cost")
    if cost:
        c = cost["currency"]
        lines += [
            f"**Monthly cost**: {cost['base']['total']:,.2f} → {cost['head']['total']:,.2f} {c} "
            f"(**{cost['delta']['total']:+,.2f}**)",
            "",
        ]
        if cost["resources"]:
            lines += [f"| resource | change | base | head | delta {c} |", "|---|---|---:|---:|---:|"]
            lines += [
                f"| {_cell(line['name'])} ({_cell(_short_type(line['type'] or ''))}) | {line['change']} | "
                f"{_money(line['base'])} | {_money(line['head'])} | {line['delta']:+,.2f} |"
                for line in cost["resources"]
            ]
            lines.append("")
    return lines


def render_markdown(document: dict) -> str:
    summary = document["summary"]
    counts = summary["violations"]
    verdict = "✅ pass" if summary["verdict"] == "pass" else "❌ fail"
    lines = [
        f"### Offline preview: `{document['project']}` / `{document['stack']}` — {verdict}",
        "",
        f"{summary['resources']} resources in {summary['components']} components; "
        f"{counts.get('mandatory', 0)} mandatory and {counts.get('advisory', 0)} advisory findings.",
        "",
    ]
    if document.get("diff"):
        lines += ["#### What this change does", "", *_change(document)]
    # Findings before the plan and the cost: when the comment must be cut to fit, the end goes first,
    # and the cost components table is the longest part.
    lines += ["#### Policy findings", "", *_findings(document)]
    if document.get("warnings"):
        lines += ["", "#### Warnings", "", *[f"- {_cell(w)}" for w in document["warnings"]]]
    lines += ["", "#### Plan", "", *_plan(document), "", "#### Estimated monthly cost", "", *_cost(document)]
    return "\n".join(lines).rstrip("\n") + "\n"
