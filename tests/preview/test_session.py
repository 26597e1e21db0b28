"""`pulumi up` is a preview phase then an update phase: how their findings combine."""

from preview.analyzer import Diagnostic
from preview.report import COST_POLICY
from preview.session import merge_phases


def _finding(policy, level="advisory", urn="urn:a", message="m"):
    return Diagnostic(pack="p", policy=policy, level=level, urn=urn, message=message)


def test_a_mandatory_violation_at_preview_stops_before_the_update():
    preview = [_finding("no-public", "mandatory")]
    update = [_finding("other", "mandatory")]
    merged = merge_phases(preview, update)
    assert [(d.policy, d.at_preview) for d in merged] == [("no-public", True)]


def test_update_findings_say_whether_the_preview_already_shows_them():
    shown = _finding("tags")
    cannot_run = _finding("iam", message="can't run policy 'iam' ... during preview")
    update_only = _finding("iam", message="wildcard action")
    cost_preview = _finding(COST_POLICY, message='COST_ESTIMATE_JSON {"total": 1}')
    cost_update = _finding(COST_POLICY, message='COST_ESTIMATE_JSON {"total": 2}')
    merged = merge_phases([shown, cannot_run, cost_preview], [shown, update_only, cost_update])
    assert [(d.message, d.at_preview) for d in merged] == [
        ("m", True),
        ("wildcard action", False),
        ('COST_ESTIMATE_JSON {"total": 2}', False),
        ("can't run policy 'iam' ... during preview", True),
    ]


def test_a_plain_preview_has_one_phase():
    merged = merge_phases([_finding("tags")], None)
    assert merged[0].at_preview is None and "atPreview" not in merged[0].to_json()
