"""--compare-to: two versions of the fixture project (stack files dev, clean and prod) and exactly the
changes between them: resources, changed inputs, findings new and fixed, cost."""

import json

from preview.compare import compare
from tests.preview.reporting import PACKS, preview, report, report_file


def _ops(diff):
    return sorted((e["op"], e["resource"]["name"]) for e in diff["resources"])


def test_dev_to_clean_adds_a_bucket_tags_the_other_shortens_retention_and_fixes_two_findings():
    diff = compare(report("dev"), report("clean"))
    assert _ops(diff) == [("create", "data-bucket-1"), ("update", "data-bucket-0"), ("update", "data-queue")]
    changes = {e["resource"]["name"]: e["changes"] for e in diff["resources"]}
    assert changes["data-bucket-0"] == [{"path": "tags.owner", "before": None, "after": "platform-team"}]
    assert changes["data-queue"] == [{"path": "messageRetentionSeconds", "before": 1209600, "after": 3600}]
    assert diff["counts"] == {"create": 1, "update": 2, "delete": 0, "replace": 0, "same": 2}
    assert diff["findings"]["new"] == []
    assert sorted((v["policy"], v["resource"]) for v in diff["findings"]["fixed"]) == [
        ("bucket-owner-tag", "aws:s3:Bucket: data-bucket-0"),
        ("queue-retention", "aws:sqs:Queue: data-queue"),
    ]
    cost = diff["cost"]
    assert [(line["name"], line["change"]) for line in cost["resources"]] == [("data-bucket-1", "new")]
    assert cost["delta"]["total"] == round(cost["head"]["total"] - cost["base"]["total"], 2) > 0


def test_the_reverse_change_is_the_mirror_image():
    forward, back = compare(report("dev"), report("clean")), compare(report("clean"), report("dev"))
    assert _ops(back) == [("delete", "data-bucket-1"), ("update", "data-bucket-0"), ("update", "data-queue")]
    assert [(v["policy"], v["resource"]) for v in back["findings"]["new"]] == [
        (v["policy"], v["resource"]) for v in forward["findings"]["fixed"]
    ]
    assert back["cost"]["delta"]["total"] == -forward["cost"]["delta"]["total"]


def test_moving_to_another_region_replaces_and_dropping_the_replica_deletes():
    diff = compare(report("prod"), report("clean"))  # prod: eu-west-1, 5 buckets, a replica in us-west-2
    assert _ops(diff) == [
        ("delete", "data-bucket-2"),
        ("delete", "data-bucket-3"),
        ("delete", "data-bucket-4"),
        ("delete", "replica"),
        ("delete", "replica-bucket-0"),
        ("delete", "replica-queue"),
        ("delete", "west"),
        ("replace", "data-bucket-0"),
        ("replace", "data-bucket-1"),
        ("replace", "data-queue"),
    ]
    queue = next(e for e in diff["resources"] if e["resource"]["name"] == "data-queue")
    assert queue["changes"] == [
        {"path": "(region)", "before": "eu-west-1", "after": "us-east-1"},
        {"path": "messageRetentionSeconds", "before": 1209600, "after": 3600},
    ]
    assert sorted(v["policy"] for v in diff["findings"]["fixed"]) == ["max-buckets", "queue-retention"]


def test_the_cli_shows_the_diff_in_text_and_markdown(tmp_path):
    base = report_file("dev", tmp_path)
    text = preview("--stack", "clean", *PACKS, "--compare-to", str(base))
    assert text.returncode == 0, text.stderr
    plan = text.stdout.split("\n\n", 2)[1].splitlines()
    assert [line.split()[0] for line in plan[3:]] == ["~", "+", "~"]  # header, stack, component, then changes
    assert "Resources:\n    + 1 to create\n    ~ 2 to update\n    2 unchanged\n" in text.stdout
    assert "        messageRetentionSeconds: 1209600 => 3600" in text.stdout
    markdown = preview("--stack", "clean", *PACKS, "--compare-to", str(base), "--format", "markdown").stdout
    section = markdown.split("#### What this change does", 1)[1].split("#### Plan", 1)[0]
    assert "```diff\n" in section and "\n~      ├─ aws:s3:Bucket" in section
    assert "| aws:s3:Bucket: data-bucket-0 | `tags.owner` | `(none)` | `platform-team` |" in section
    assert "✅ **Findings fixed**: 2" in section and "🆕 **Findings new**: 0" in section
    assert "| data-bucket-1 (aws:s3:Bucket) | new | - | 2.50 | +2.50 |" in section


def test_a_base_that_is_not_a_report_is_refused_with_a_message(tmp_path):
    for content, expected in (("{not json", "is not JSON"), (json.dumps({"stack": "dev"}), "is not a preview JSON")):
        path = tmp_path / "base.json"
        path.write_text(content)
        done = preview(
            "--stack", "clean", "--policy-pack", "tests/preview/fixtures/pack_rules", "--compare-to", str(path)
        )
        assert done.returncode == 2 and expected in done.stderr and "Traceback" not in done.stderr
