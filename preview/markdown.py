"""Markdown rendering of the preview document, for pull-request comments.

The plan (resource counts per component, Region and account), the cost table, the violations and a
Mermaid diagram of the components grouped by account and Region. Reads only the JSON document
(``report.build_document``), like the other renderers.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from .report import _money, _short_type, _violation_text, cost_component_rows, cost_notes

__all__ = ["render_markdown"]

_STACK_TYPE = "pulumi:pulumi:Stack"


def _cell(text: Any) -> str:
    """A table cell: one line, pipes escaped."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _mermaid_id(urn: str, ids: dict[str, str]) -> str:
    return ids.setdefault(urn, f"n{len(ids)}")


def _mermaid_label(text: str) -> str:
    return re.sub(r'["<>{}\[\]]', "", text)


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
        owner[urn] = cursor if cursor in tops else urn
    return owner


def _plan(document: dict) -> list[str]:
    by_urn = {r["urn"]: r for r in document["resources"]}
    owner = _component_of(document)
    rows: dict[str, Counter] = defaultdict(Counter)
    for r in document["resources"]:
        if r["custom"] and not r["type"].startswith("pulumi:providers:"):
            top = by_urn.get(owner[r["urn"]], {})
            rows[top.get("name", "-") if not top.get("custom", True) else "(stack)"][
                f"{r['account'] or '-'} / {r['region'] or 'global'}"] += 1
    lines = ["| component | account / Region | resources |", "|---|---|---:|"]
    for component in sorted(rows):
        for place, count in sorted(rows[component].items()):
            lines.append(f"| {_cell(component)} | {_cell(place)} | {count} |")
    types = document["summary"]["byType"]
    lines += ["", "<details><summary>Resources by type</summary>", "",
              "| type | count |", "|---|---:|"]
    lines += [f"| `{_short_type(t)}` | {n} |" for t, n in types.items()]
    lines += ["", "</details>"]
    return lines


def _diagram(document: dict) -> list[str]:
    """Top-level components inside account and Region subgraphs (a component spanning several
    places appears in each, linked to itself so the span stays visible)."""
    owner = _component_of(document)
    by_urn = {r["urn"]: r for r in document["resources"]}
    places: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in document["resources"]:
        top = owner.get(r["urn"])
        if r["custom"] and not r["type"].startswith("pulumi:providers:") and top in by_urn and not by_urn[top]["custom"]:
            places[(r["account"] or "-", r["region"] or "global")].add(top)
    ids: dict[str, str] = {}
    lines = ["```mermaid", "flowchart LR"]
    for account in sorted({a for a, _ in places}):
        lines.append(f'  subgraph acct_{_mermaid_label(account).replace("-", "_")}["account {_mermaid_label(account)}"]')
        for (acct, region) in sorted(places):
            if acct != account:
                continue
            group = f"{account}_{region}".replace("-", "_")
            lines.append(f'    subgraph r_{group}["{_mermaid_label(region)}"]')
            for urn in sorted(places[(acct, region)]):
                node = f"{_mermaid_id(urn, ids)}_{group}"
                component = by_urn[urn]
                lines.append(f'      {node}["{_mermaid_label(component["name"])}<br/>'
                             f'{_mermaid_label(component["type"])}"]')
            lines.append("    end")
        lines.append("  end")
    spans = defaultdict(list)
    for (acct, region), urns in sorted(places.items()):
        for urn in sorted(urns):
            spans[urn].append(f"{_mermaid_id(urn, ids)}_{acct}_{region}".replace("-", "_"))
    for nodes in spans.values():
        lines += [f"  {a} -.- {b}" for a, b in zip(nodes, nodes[1:])]
    lines.append("```")
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
        lines.append(f"| range: idle floor to ceiling the inputs allow | {_money(cost['low'])} to {_money(cost['high'])} |")
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
        lines += ["", "<details><summary>Cost components per resource</summary>", "",
                  "| resource | component | quantity x unit price | kind | monthly |", "|---|---|---|---|---:|"]
        lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
        lines += ["", "</details>"]
    return lines


def _violations(document: dict) -> list[str]:
    violations = document["violations"]
    if not violations:
        return ["No policy violations."]
    names = {r["urn"]: r["name"] for r in document["resources"]}
    lines = ["| level | pack | policy | resource | finding |", "|---|---|---|---|---|"]
    order = {"mandatory": 0, "remediate": 0, "advisory": 1}
    for v in sorted(violations, key=lambda v: (order.get(v["level"], 2), v["pack"], v["policy"])):
        level = f"**{v['level']}**" if v["level"] in ("mandatory", "remediate") else v["level"]
        resource = names.get(v.get("urn") or "", "(stack)")
        lines.append(f"| {level} | {_cell(v['pack'])} | `{_cell(v['policy'])}` | {_cell(resource)} | "
                     f"{_cell(_violation_text(v['message']))} |")
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
        "#### Plan",
        "",
        *_plan(document),
        "",
        "#### Components by account and Region",
        "",
        *_diagram(document),
        "",
        "#### Estimated monthly cost",
        "",
        *_cost(document),
        "",
        "#### Policy findings",
        "",
        *_violations(document),
    ]
    if document.get("warnings"):
        lines += ["", "#### Warnings", "", *[f"- {_cell(w)}" for w in document["warnings"]]]
    return "\n".join(lines) + "\n"
