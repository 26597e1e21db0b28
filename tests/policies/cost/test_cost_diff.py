"""The cost change between two previews (preview/cost_diff.py): per resource and in total, new,
removed and changed lines, over the JSON reports the preview writes."""

from __future__ import annotations

import pytest

from preview.cost_diff import CostDiffError, cost_diff, render_text


def _resource(name, monthly, **components):
    return {
        "urn": f"urn:pulumi:dev::p::aws:x:X::{name}",
        "name": name,
        "type": "aws:x:X",
        "monthly": monthly,
        "components": [{"name": n, "monthly": m} for n, m in components.items()],
    }


def _report(*resources, fixed=0.0, usage=0.0):
    total = round(fixed + usage, 2)
    return {
        "project": "p",
        "resources": [{"urn": "plan rows are not cost lines"}],
        "cost": {
            "currency": "USD",
            "pricesAsOf": "2025-06-30",
            "fixed": fixed,
            "usage": usage,
            "total": total,
            "resources": list(resources),
        },
    }


def test_new_removed_and_changed_lines_largest_first():
    base = _report(
        _resource("proxy", 87.6, acu=87.6),
        _resource("nat", 32.85, hours=32.85),
        _resource("key", 1.0, key=1.0),
        fixed=121.45,
    )
    head = _report(
        _resource("nat", 33.75, hours=32.85, processed=0.9),
        _resource("key", 1.0, key=1.0),
        _resource("eip", 3.65, hours=3.65),
        fixed=37.5,
        usage=0.9,
    )
    diff = cost_diff(base, head)
    assert diff["delta"] == {"fixed": -83.95, "usage": 0.9, "total": -83.05}
    assert [(r["name"], r["change"], r["delta"]) for r in diff["resources"]] == [
        ("proxy", "removed", -87.6),
        ("eip", "new", 3.65),
        ("nat", "changed", 0.9),
    ]
    assert diff["counts"] == {"new": 1, "removed": 1, "changed": 1}
    (processed,) = diff["resources"][2]["components"]
    assert processed == {"name": "processed", "change": "new", "base": None, "head": 0.9, "delta": 0.9}


def test_a_component_that_moves_without_changing_the_resource_total_is_a_change():
    base = _report(_resource("db", 50.0, storage=10.0, io=40.0))
    head = _report(_resource("db", 50.0, storage=20.0, io=30.0))
    (line,) = cost_diff(base, head)["resources"]
    assert line["delta"] == 0 and [c["name"] for c in line["components"]] == ["io", "storage"]


def test_identical_reports_have_no_lines_and_either_side_may_be_missing():
    report = _report(_resource("nat", 32.85, hours=32.85), fixed=32.85)
    assert cost_diff(report, report)["resources"] == []
    first = cost_diff(None, report)
    assert first["delta"]["total"] == 32.85 and first["resources"][0]["change"] == "new"
    assert cost_diff(report, {"cost": None})["resources"][0]["change"] == "removed"


def test_text_lines_for_a_person():
    diff = cost_diff(_report(fixed=10.0), _report(_resource("eip", 3.65, hours=3.65), fixed=13.65))
    assert render_text(diff) == [
        "Monthly cost 10.00 -> 13.65 USD (+3.65; fixed +3.65, usage +0.00); 1 new, 0 removed, 0 changed",
        "       +3.65  new      eip (aws:x:X)",
    ]


@pytest.mark.parametrize("bad", [[1], {"cost": {"resources": "nope"}}])
def test_bad_input_fails_with_a_clear_message(bad):
    with pytest.raises(CostDiffError):
        cost_diff(bad, None)
