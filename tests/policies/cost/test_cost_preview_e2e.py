"""End to end through the offline preview: a small fixture program run against the fake AWS, the
cost pack served over the Analyzer protocol from its own process, the estimate in the JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preview.__main__ import main

ROOT = Path(__file__).resolve().parents[3]
PROGRAM = Path(__file__).parent / "fixtures" / "cost_program"
PACK = ROOT / "policies" / "cost"


def _preview(capsys, stack, *extra):
    code = main(["--program", str(PROGRAM), "--stack", stack, "--policy-pack", str(PACK), "--format", "json", *extra])
    return code, json.loads(capsys.readouterr().out)


USAGE = """# declared usage, as usage/<stack>.yaml
version: 0.1
resource_type_default_usage:
  aws:cloudwatch/eventBus:EventBus: {monthly_custom_events: 1000000}
resource_usage:
  gaming-instance: {monthly_hours: HOURS}
"""


def _usage_config(tmp_path, hours):
    """A --policy-pack-config file whose usage key names a usage file: the way the CLI reaches the pack."""
    (tmp_path / "usage.yaml").write_text(USAGE.replace("HOURS", str(hours)))
    config = tmp_path / "cost.json"
    config.write_text(
        json.dumps(
            {
                "monthly-cost-estimate": {"usage": str(tmp_path / "usage.yaml")},
                "cost-stack-monthly-budget": {"usage": str(tmp_path / "usage.yaml")},
            }
        )
    )
    return str(config)


def test_over_budget_fails_with_the_cost_table_in_the_json_output(capsys, tmp_path):
    code, document = _preview(capsys, "over", "--policy-pack-config", _usage_config(tmp_path, 40))
    cost = document["cost"]
    # Worked by hand from prices.json (us-east-1 = us-west-2 here):
    #   workstation: g4dn.xlarge Windows 0.71 x 40 h declared + gp3 150 GB x 0.08 = 40.40; Elastic IP
    #   0.005 x 730 = 3.65; idle alarm 0.10; two buses 1,000,000 declared events x 1.00/M = 1.00 each.
    assert cost["byComponent"] == {"gaming (Workstation)": pytest.approx(44.15), "orders (Buses)": pytest.approx(2.0)}
    assert cost["byRegion"] == {"us-east-1": pytest.approx(45.15), "us-west-2": pytest.approx(1.0)}
    assert cost["total"] == pytest.approx(46.15) and cost["budget"] == 20.0
    assert cost["fixed"] == pytest.approx(12.0 + 3.65 + 0.10)  # an idle month: disk, address, alarm
    assert cost["usage"] == pytest.approx(28.40 + 2.0)
    by_type = {r["type"]: r for r in cost["resources"]}
    assert by_type["aws:ec2/instance:Instance"]["monthly"] == pytest.approx(40.40)
    assert "Windows" in by_type["aws:ec2/instance:Instance"]["components"][-1]["name"]
    assert "aws:budgets/budget:Budget" not in by_type  # free
    mandatory = [v for v in document["violations"] if v["level"] == "mandatory"]
    assert [v["policy"] for v in mandatory] == ["cost-stack-monthly-budget"]
    assert "OVER the budget of 20.00 USD: total 46.15" in mandatory[0]["message"]
    assert mandatory[0]["urn"].endswith("aws:budgets/budget:Budget::monthly")
    assert code == 1
    assert "monthly-cost-estimate" not in {v["policy"] for v in document["violations"]}


def test_usage_from_policy_pack_config_under_budget(capsys, tmp_path):
    code, document = _preview(capsys, "under", "--policy-pack-config", _usage_config(tmp_path, 100))
    # 100 h x 0.71 = 71.00 instead of 28.40.
    assert document["cost"]["total"] == pytest.approx(46.15 - 28.40 + 71.0)
    assert code == 0 and not [v for v in document["violations"] if v["level"] == "mandatory"]


def test_without_usage_the_usage_lines_are_zero_and_listed(capsys):
    _, document = _preview(capsys, "under")
    cost = document["cost"]
    assert cost["usage"] == 0 and cost["total"] == pytest.approx(12.0 + 3.65 + 0.10)
    assert {item["name"] for item in cost["dependsOnUsage"]} == {"gaming-instance", "orders-east", "orders-west"}
