"""--format sarif: valid SARIF 2.1.0 (the OASIS schema, vendored: no network), one rule per policy,
each finding at the program line that registered its resource."""

import json
from pathlib import Path

import jsonschema
import pytest

from preview.sarif import sarif_log
from tests.preview.reporting import PACKS, PROGRAM, preview, report

# OASIS SARIF 2.1.0 errata01 schema, from oasis-tcs/sarif-spec sarif-2.1/schema/sarif-schema-2.1.0.json
# (commit e0583813964ec43cea53b6b531b402866095ed1f).
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())


def _validate(log: dict) -> None:
    jsonschema.validate(log, SCHEMA, cls=jsonschema.Draft4Validator)


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_sarif_of_the_fixture_project_validates_and_locates_each_finding():
    done = preview("--stack", "dev", *PACKS, "--format", "sarif")
    assert done.returncode == 1, done.stderr  # the dev fixture has a mandatory finding
    log = json.loads(done.stdout)
    _validate(log)
    run = log["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert {
        "fixture-rules/bucket-owner-tag",
        "fixture-rules/queue-retention",
        "fixture-rules/max-buckets",
        "fixture-cost/monthly-cost-estimate",
    } <= set(rules)
    owner = rules["fixture-rules/bucket-owner-tag"]
    assert owner["shortDescription"]["text"] == "Buckets carry an owner tag."
    assert owner["defaultConfiguration"]["level"] == "error" and "Enforcement level: mandatory" in owner["help"]["text"]

    located = {r["ruleId"]: r["locations"][0]["physicalLocation"] for r in run["results"]}
    storage = PROGRAM / "storage.py"
    assert located["fixture-rules/bucket-owner-tag"] == {
        "artifactLocation": {"uri": "storage.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": _line_of(storage, "aws.s3.Bucket(")},
    }
    assert located["fixture-rules/queue-retention"]["region"]["startLine"] == _line_of(storage, "aws.sqs.Queue(")
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"fixture-rules/bucket-owner-tag": "error", "fixture-rules/queue-retention": "warning"}
    assert run["automationDetails"]["id"] == "offline-preview/dev/"


def test_a_stack_finding_points_at_the_stack_file_and_exceptions_are_listed():
    document = report("prod")
    document = {
        **document,
        "packs": [
            *document["packs"],
            {
                "name": "sec",
                "version": "1",
                "directory": "",
                "policies": [
                    {
                        "name": "lp-x",
                        "level": "mandatory",
                        "description": "X.",
                        "exceptions": [{"resource": "a-*", "reason": "reviewed"}],
                    }
                ],
            },
        ],
    }
    log = sarif_log(document)
    _validate(log)
    run = log["runs"][0]
    stack_finding = next(r for r in run["results"] if r["ruleId"] == "fixture-rules/max-buckets")
    assert stack_finding["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "Pulumi.prod.yaml"
    assert run["properties"]["exceptions"] == [{"policy": "sec/lp-x", "resource": "a-*", "reason": "reviewed"}]
    assert (
        "under `exceptions`" in next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "sec/lp-x")["help"]["text"]
    )


def test_an_invalid_log_is_caught_by_the_schema():
    # The check can fail: a result without its message is not SARIF.
    log = sarif_log(report("dev"))
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError, match="message"):
        _validate(log)
