"""Reviewed exceptions and crash reports, one implementation for every pack (policies/shared/reporting.py)."""

from pathlib import Path

from security_rules import _core as security_core
from security_rules import reporting as security_reporting
from wiring_rules import _core as wiring_core
from wiring_rules import reporting as wiring_reporting

reporting = wiring_reporting
POLICIES = Path(__file__).resolve().parents[3] / "policies"


def test_the_packs_that_wrap_their_rules_import_the_one_shared_module():
    shared = (POLICIES / "shared" / "reporting.py").resolve()
    for module in (security_reporting, wiring_reporting):
        assert Path(module.__file__).resolve() == shared
    assert security_core.Waiver is security_reporting.Waiver and wiring_core.glob_match is wiring_reporting.glob_match


def test_an_exception_without_a_reason_or_a_target_waives_nothing_and_says_why():
    entries = [
        {"resource": "fn-*"},
        {"reason": "fine"},
        {"resource": "fn-*", "reason": "reviewed", "rule": "other"},
        {"resource": "fn-*", "token": "Api::sqs@*", "reason": "reviewed"},
    ]
    problems = [w.problem for w in reporting.waivers(entries, "wiring-x")]
    assert "has no reason" in problems[0]
    assert "names neither a resource nor a token" in problems[1]
    assert "listed under wiring-x" in problems[2]
    assert problems[3] is None


def test_a_waiver_covers_either_packs_finding_by_resource_and_token():
    waiver = reporting.waivers([{"resource": "fn-*", "token": "Api::sqs@*", "reason": "reviewed"}], "r")[0]
    fn = wiring_core.Res("aws:lambda/function:Function", "fn-1", "urn:fn-1", {})
    other = wiring_core.Res("aws:lambda/function:Function", "worker", "urn:worker", {})
    assert waiver.covers(wiring_core.Finding(fn, "Api::sqs@us-east-1", "no route"))
    assert not waiver.covers(wiring_core.Finding(fn, "Api::sns@us-east-1", "no route"))
    assert not waiver.covers(wiring_core.Finding(other, "Api::sqs@us-east-1", "no route"))
    subject = reporting.waivers([{"token": "Resource::*[xray:*]", "reason": "X-Ray takes no ARN"}], "r")[0]
    assert subject.covers(
        security_core.Finding("Resource::*", "Statement[0]", "m", subject="xray:PutTraceSegments"),
        security_core.Res("t", "role", "urn:role", {}),
    )


def test_a_crash_names_the_rule_the_error_and_where_it_happened():
    try:
        {}["missing"]
    except KeyError as error:
        message = reporting.crash_message("wiring-x", error, "fn (Function)")
    assert message.startswith(
        "fn (Function): internal error in rule wiring-x: KeyError: 'missing' (at test_reporting.py:"
    )
    assert message.endswith("report this as a bug in the policy pack.")
