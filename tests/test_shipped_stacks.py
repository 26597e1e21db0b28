"""The shipped stacks end to end: `python -m preview` with both policy packs over the Analyzer
protocol, as a pull request's preview runs them."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURES = {
    "dev": {
        "blueprints:global_events:GlobalEventBus",
        "blueprints:private_api:CrossAccountPrivateApi",
        "blueprints:leasing:LeasingPlatform",
        "blueprints:gaming:GamingWorkstation",
    },
    "prod": {
        "blueprints:global_events:GlobalEventBus",
        "blueprints:private_api:CrossAccountPrivateApi",
        "blueprints:resilient_api:MultiRegionPrivateApi",
        "blueprints:leasing:LeasingPlatform",
    },
}


@pytest.fixture(scope="module", params=["dev", "prod"])
def preview(request):
    done = subprocess.run(
        [sys.executable, "-m", "preview", "--stack", request.param, "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr
    return request.param, done.returncode, json.loads(done.stdout)


def test_no_mandatory_violation_from_either_pack(preview):
    _stack, code, document = preview
    mandatory = [
        f"{v['pack']}/{v['policy']} {v['urn']}: {v['message']}"
        for v in document["violations"]
        if v["level"] == "mandatory"
    ]
    assert not mandatory, "\n".join(mandatory)
    assert code == 0
    assert {p["name"] for p in document["packs"]} >= {"blueprints-security", "blueprints-cost"}


def test_every_architecture_of_the_stack_is_deployed(preview):
    stack, _, document = preview
    components = {r["type"] for r in document["resources"] if not r["custom"]}
    assert ARCHITECTURES[stack] <= components, ARCHITECTURES[stack] - components


def test_every_resource_uses_an_explicit_provider_in_a_stack_region(preview):
    _stack, _, document = preview
    regions = {"us-east-1", "us-west-2"}
    for r in document["resources"]:
        if r["custom"] and r["type"].startswith("aws:"):
            assert r["provider"], f"{r['urn']} uses the default provider"
            assert r["region"] in regions | {None}, r["urn"]


def test_accounts_match_the_stack(preview):
    stack, _, document = preview
    accounts = {r["account"] for r in document["resources"] if r["custom"] and r["type"].startswith("aws:")}
    assert accounts == ({"111111111111"} if stack == "dev" else {"111111111111", "222222222222"})
