"""The text report reads like `pulumi preview`: the plan with operations and the tree, the Policies
section per pack grouped by rule, exceptions with their reasons, the Resources summary; data printed
literally and at full width when piped; physical ids only on request."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from preview.__main__ import main
from preview.report import findings_by_pack, render_text
from tests.preview.reporting import FIXTURES, PACKS, PROGRAM, ROOT, preview

EXPECTED = Path(__file__).parent / "expected"


def test_text_report_of_the_fixture_project_matches_the_checked_in_output():
    done = preview("--stack", "prod", *PACKS)
    assert done.returncode == 0, done.stderr
    expected = (EXPECTED / "text-prod.txt").read_text()
    if os.environ.get("UPDATE_EXPECTED"):  # after a deliberate change of the format: review the diff
        (EXPECTED / "text-prod.txt").write_text(done.stdout)
    assert done.stdout == expected


def test_physical_ids_and_output_values_only_with_show_ids():
    plain = preview("--stack", "dev", *PACKS).stdout
    assert "data-bucket-0-" not in plain and "arn:aws:sqs" not in plain and "queueArn   : output<string>" in plain
    with_ids = preview("--stack", "dev", *PACKS, "--show-ids").stdout
    bucket = next(
        line
        for line in with_ids.splitlines()
        if line.strip().endswith(tuple("0123456789abcdef")) and "data-bucket-0" in line
    )
    assert bucket.split()[-1].startswith("data-bucket-0-")  # the fake's physical name, in the Id column
    assert "arn:aws:sqs:us-east-1:111111111111:data-queue" in with_ids


def _document(resources, violations=(), packs=()):
    return {
        "project": "p",
        "stack": "s",
        "resources": resources,
        "violations": list(violations),
        "cost": None,
        "packs": list(packs),
        "warnings": [],
        "logs": [],
        "outputs": {},
        "providers": [],
        "summary": {
            "resources": len(resources),
            "components": 0,
            "providers": 0,
            "byType": {},
            "violations": {"mandatory": 0, "advisory": len(violations)},
            "verdict": "pass",
        },
    }


def _resource(name, type_="aws:cloudwatch/logGroup:LogGroup", parent=None):
    return {
        "urn": f"urn:pulumi:s::p::{type_}::{name}",
        "type": type_,
        "name": name,
        "parent": parent,
        "custom": True,
        "id": f"{name}-1234",
        "inputs": {},
        "outputs": {},
    }


def _render(document, **options) -> str:
    from preview.report import text_console

    out = io.StringIO()  # not a terminal: as when piped to a file
    render_text(document, text_console(out), **options)
    return out.getvalue()


def test_data_is_printed_literally_and_never_wrapped():
    long_name = "logs-" + "x" * 300
    doc = _document([_resource("[bold]red[/] :secret: name"), _resource(long_name)])
    text = _render(doc)
    assert "[bold]red[/] :secret: name" in text  # no markup, no emoji code
    # One line per resource, not folded at 80 columns.
    assert any(long_name in line and line.endswith("create") for line in text.splitlines())


def test_findings_of_one_rule_are_grouped_with_their_resources():
    logs = [_resource(f"logs-{i}") for i in range(3)]
    violations = [
        {
            "pack": "sec",
            "policy": "lp-loggroup-kms",
            "level": "advisory",
            "urn": r["urn"],
            # The security pack names the subject first; the shared text is what follows.
            "message": f"Log groups use a customer managed key.\n{r['name']} (LogGroup): no kmsKeyId: set one",
        }
        for r in logs
    ]
    violations.append(
        {
            "pack": "sec",
            "policy": "lp-other",
            "level": "mandatory",
            "urn": logs[0]["urn"],
            "message": "Another rule.\nbroken",
        }
    )
    pack = {
        "name": "sec",
        "version": "1.0.0",
        "directory": "",
        "policies": [
            {"name": "lp-loggroup-kms", "level": "advisory", "description": "Log groups use a customer managed key."},
            {
                "name": "lp-other",
                "level": "mandatory",
                "description": "Another rule.",
                "exceptions": [{"resource": "github-deploy-*", "token": "Resource::arn:*", "reason": "reviewed: why"}],
            },
        ],
    }
    text = _render(_document(logs, violations, [pack]))
    policies = text.split("Policies:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert policies == [
        "    ❌ sec@v1.0.0",
        "        - [mandatory]  lp-other  (aws:cloudwatch:LogGroup: logs-0)",
        "          Another rule.",
        "          broken",
        "        - [advisory]  lp-loggroup-kms  (3 resources)",
        "          Log groups use a customer managed key.",
        "          no kmsKeyId: set one",
        "            aws:cloudwatch:LogGroup: logs-0",
        "            aws:cloudwatch:LogGroup: logs-1",
        "            aws:cloudwatch:LogGroup: logs-2",
        "        Exceptions (1, reviewed; matching findings are not reported):",
        "        - lp-other  resource github-deploy-*, token Resource::arn:*",
        "          reason: reviewed: why",
    ]
    assert "Resources:\n    + 4 to create\n" in text  # the stack and three log groups
    assert [rule.count for rule in findings_by_pack(_document(logs, violations, [pack]))[0].rules] == [1, 3]


def test_a_pack_config_without_its_pack_is_refused(capsys, tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"all": "mandatory"}')
    # Without --policy-pack the config would silently apply to whichever default pack sorts first.
    assert main(["--program", str(PROGRAM), "--policy-pack-config", str(config)]) == 2
    assert '"--policy-pack-config" must be specified with "--policy-pack"' in capsys.readouterr().err
    assert (
        main(
            [
                "--program",
                str(PROGRAM),
                "--policy-pack",
                str(FIXTURES / "pack_rules"),
                "--policy-pack",
                str(FIXTURES / "pack_cost"),
                "--policy-pack-config",
                str(config),
            ]
        )
        == 2
    )
    assert "must match the number of" in capsys.readouterr().err


def test_the_bootstraps_reviewed_exception_is_listed_with_its_reason():
    # Before, a clean run said "No policy violations" and the waived PassRole finding left no trace.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "preview",
            "--program",
            "bootstrap",
            "--stack",
            "dev",
            "--policy-pack",
            "policies/security",
            "--policy-pack-config",
            "bootstrap/security-policy-config.json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    policies = done.stdout.split("Policies:\n", 1)[1]
    reason = json.loads((ROOT / "bootstrap/security-policy-config.json").read_text())["lp-iam-passrole-scoped"][
        "exceptions"
    ][0]["reason"]
    assert (
        "        - lp-iam-passrole-scoped  resource github-deploy-*, "
        "token Resource::arn:aws:iam::*:role/blueprints/*\n"
        f"          reason: {reason}\n"
    ) in policies
