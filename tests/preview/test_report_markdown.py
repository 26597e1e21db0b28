"""The markdown report (the pull-request comment): the plan per component and place, the cost, the
findings per pack grouped by rule (expandable to their resources) and the reviewed exceptions."""

import re

from preview.markdown import render_markdown
from tests.preview.reporting import PACKS, preview


def test_markdown_of_a_two_account_fixture_project():
    done = preview("--stack", "prod", *PACKS, "--format", "markdown")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("### Offline preview: `fixture-basic` / `prod` — ✅ pass")
    # The plan: resources per component and place.
    assert "| data | 111111111111 / eu-west-1 | 6 |" in out
    assert "| replica | 222222222222 / us-west-2 | 2 |" in out
    # The cost table and the budget verdict.
    assert "| **total** | **15.80** |" in out and "| budget | 10.00 (over budget) |" in out
    # Findings per pack, one entry per rule.
    findings = out.split("#### Policy findings", 1)[1].split("\n#### ", 1)[0]
    assert out.index("#### Policy findings") < out.index("#### Plan") < out.index("#### Estimated monthly cost")
    assert "⚠️ **fixture-rules**@v0.2.0: 2 finding(s) in 2 rule(s)" in findings
    assert re.search(
        r"<summary>⚠️ advisory <code>queue-retention</code> \(aws:sqs:Queue: data-queue\): "
        r"Queues keep messages no longer than needed.</summary>\n\n- retention 1209600 s",
        findings,
    )
    assert "✅ **fixture-cost**@v0.1.0: no findings" in findings
    assert "monthly-cost-estimate" not in findings


def _resource(name, type_="aws:cloudwatch/logGroup:LogGroup"):
    return {
        "urn": f"urn:pulumi:s::p::{type_}::{name}",
        "type": type_,
        "name": name,
        "parent": None,
        "custom": True,
        "region": "us-east-1",
        "account": "111111111111",
        "id": name,
        "inputs": {},
    }


def test_a_rule_with_many_resources_is_one_expandable_entry_and_exceptions_show_their_reasons():
    logs = [_resource(f"logs-{i}") for i in range(19)]
    violations = [
        {
            "pack": "sec",
            "policy": "lp-loggroup-kms",
            "level": "advisory",
            "urn": r["urn"],
            "message": "Log groups use a customer managed key.\nno kmsKeyId | set one",
        }
        for r in logs
    ]
    violations.append(
        {
            "pack": "sec",
            "policy": "lp-nlb-internal",
            "level": "mandatory",
            "urn": logs[0]["urn"],
            "message": "NLBs are internal.\nscheme is internet-facing <b>",
        }
    )
    pack = {
        "name": "sec",
        "version": "1.0.0",
        "directory": "",
        "policies": [
            {"name": "lp-loggroup-kms", "level": "advisory", "description": "Log groups use a customer managed key."},
            {
                "name": "lp-iam-passrole-scoped",
                "level": "mandatory",
                "description": "PassRole is scoped.",
                "exceptions": [
                    {
                        "resource": "github-deploy-*",
                        "token": "Resource::arn:aws:iam::*:role/blueprints/*",
                        "reason": "The deploy role passes the roles the stacks create.",
                    }
                ],
            },
        ],
    }
    doc = {
        "project": "p",
        "stack": "s",
        "resources": logs,
        "violations": violations,
        "cost": None,
        "warnings": [],
        "packs": [pack],
        "summary": {
            "resources": 19,
            "components": 0,
            "byType": {},
            "violations": {"mandatory": 1, "advisory": 19},
            "verdict": "fail",
        },
    }
    out = render_markdown(doc)
    assert "— ❌ fail" in out.splitlines()[0]
    assert out.count("<details") == 3  # the two rules and the resources by type
    assert "<details open><summary>❌ mandatory <code>lp-nlb-internal</code> (aws:cloudwatch:LogGroup: logs-0)" in out
    assert "- scheme is internet-facing <b>" not in out and "scheme is internet-facing" in out
    assert "<summary>⚠️ advisory <code>lp-loggroup-kms</code> (19 resources)" in out
    assert out.count("no kmsKeyId \\| set one") == 1  # the shared text once, then the resources
    assert "  - `aws:cloudwatch:LogGroup: logs-18`" in out
    assert (
        "| `lp-iam-passrole-scoped` | github-deploy-* | Resource::arn:aws:iam::*:role/blueprints/* | "
        "The deploy role passes the roles the stacks create. |"
    ) in out
