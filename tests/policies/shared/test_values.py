"""The one meaning of unknown values every pack shares (policies/shared/values.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cost_rules import values as cost_values
from pulumi_policy.proxy import UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy
from security_rules import values as security_values
from wiring_rules import _core as wiring_core
from wiring_rules import values as wiring_values

values = security_values
POLICIES = Path(__file__).resolve().parents[3] / "policies"


def test_every_pack_imports_the_one_shared_module():
    shared = (POLICIES / "shared" / "values.py").resolve()
    assert wiring_core.Unknown is wiring_values.Unknown and wiring_core.as_list is wiring_values.as_list
    for module in (security_values, cost_values, wiring_values):
        assert Path(module.__file__).resolve() == shared


RAW = {"a": UNKNOWN_STRING_VALUE, "b": [1, UNKNOWN_NUMBER_VALUE], "c": {"d": "x"}}


@pytest.mark.parametrize("props", [RAW, unknown_checking_proxy(RAW)], ids=["raw", "sdk-proxy"])
def test_plain_replaces_sentinels_with_unknowns_named_by_path_when_asked(props):
    tracked = values.plain(props, "")
    assert values.is_unknown(tracked["a"]) and tracked["a"].path == "a"
    assert tracked["b"][0] == 1 and tracked["b"][1].path == "b[1]"
    assert tracked["c"] == {"d": "x"}
    untracked = values.plain(props)
    assert untracked["a"] is values.UNKNOWN and untracked["b"][1] is values.UNKNOWN


@pytest.mark.parametrize(
    "use",
    [
        bool,
        list,
        len,
        lambda u: u < 3,
        lambda u: u + 1,
        lambda u: "x" in u,
        lambda u: u["k"],
        lambda u: u.get("k"),
        lambda u: u.startswith("arn:"),
        lambda u: int(u),
    ],
)
@pytest.mark.parametrize("unknown", [values.UNKNOWN, values.Unknown("policy")], ids=["untracked", "tracked"])
def test_using_an_unknown_as_a_known_value_raises_the_sdks_unknown_error(use, unknown):
    with pytest.raises(values.Undecided) as raised:
        use(unknown)
    assert isinstance(raised.value, UnknownValueError)  # the SDK reports it as "can't run ... during preview"


def test_an_unknown_equals_only_itself():
    unknown = values.Unknown("x")
    assert unknown == unknown and unknown is not values.UNKNOWN
    assert unknown != "PRIVATE" and not (unknown == None)  # noqa: E711 - the comparison is the point
    assert "i-0abc" not in (None, values.UNKNOWN) and values.UNKNOWN in (None, values.UNKNOWN)


def test_helpers_keep_an_unknown_unknown():
    props = values.plain({"a": {"b": UNKNOWN_STRING_VALUE}, "n": UNKNOWN_NUMBER_VALUE}, "")
    assert values.get(props, "a", "b").path == "a.b" and values.get(props, "a", "b", "c").path == "a.b"
    assert values.number(props["n"]) is props["n"]
    with pytest.raises(values.Undecided):
        values.truthy(props["n"])


def test_each_pack_still_loads_from_its_own_directory_through_the_link():
    """The CLI runs ``python -m pulumi.policy <addr> <packDir>`` with the pack directory as working
    directory; importing the rules there must find the linked shared module."""
    for pack, package in (("security", "security_rules"), ("cost", "cost_rules"), ("wiring", "wiring_rules")):
        run = subprocess.run(
            [sys.executable, "-c", f"import {package}.values as v; print(v.__file__)"],
            cwd=POLICIES / pack,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": ""},
        )
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip().endswith(f"{package}/values.py")


def test_first_unknown_finds_an_unknown_at_any_depth():
    props = values.plain({"a": {"b": [1, {"c": UNKNOWN_STRING_VALUE}]}, "d": "x"}, "")
    assert values.first_unknown(props).path == "a.b[1].c"
    assert values.first_unknown(values.plain({"a": [1, {"b": "x"}]}, "")) is None


def test_the_wiring_wrapper_counts_an_unknown_used_as_known_as_undecided_not_as_a_crash():
    res = wiring_core.Res(
        "aws:sqs/queue:Queue", "q", "urn:q", wiring_core.plain({"kmsMasterKeyId": UNKNOWN_STRING_VALUE})
    )

    def careless(graph):  # reads the key's truth without checking whether it is known
        if res.props["kmsMasterKeyId"]:
            yield wiring_core.Finding(res, "Key", "encrypted")

    rule = wiring_core.Rule("w-test", "test", None, careless, ())
    found, undecided, crash = wiring_core.run_check(rule, None)
    assert (found, crash) == ([], None)
    assert [u.path for u in undecided] == ["kmsMasterKeyId"]
