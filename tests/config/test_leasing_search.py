"""Stack config of the leasing search side: shipped stacks, defaults, every bad value named by key."""

import json
from pathlib import Path

import pytest
import yaml

from config import ConfigError, parse

ROOT = Path(__file__).resolve().parents[2]


def shipped(stack: str) -> dict:
    raw = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {
        k: v
        if isinstance(v, str)
        else json.dumps(v)
        if isinstance(v, list)
        else str(v).lower()
        if isinstance(v, bool)
        else str(v)
        for k, v in raw.items()
    }


def search_problems(values: dict) -> dict[str, list]:
    with pytest.raises(ConfigError) as caught:
        parse({f"blueprints:{k}": v for k, v in values.items()}, stack="test")
    found: dict[str, list] = {}
    for problem in caught.value.problems:
        found.setdefault(problem.key.removeprefix("blueprints:"), []).append(problem)
    return found


def test_dev_is_one_small_node_on_a_one_shard_stream():
    search = parse(shipped("dev"), stack="dev").leasing.search
    assert (search.stream_mode, search.shard_count, search.retention_hours) == ("PROVISIONED", 1, 24)
    assert (search.instance_type, search.instance_count, search.master_count, search.warm_count) == (
        "t3.small.search",
        1,
        0,
        0,
    )
    assert search.cold_storage is False


def test_prod_is_two_nodes_without_tiers_that_would_hold_no_data():
    """Issue 16/19: masters, UltraWarm and cold storage were paid for in both Regions and held nothing."""
    search = parse(shipped("prod"), stack="prod").leasing.search
    assert search.stream_mode == "PROVISIONED" and search.retention_hours == 168
    assert (search.instance_type, search.instance_count) == ("t3.medium.search", 2)
    assert (search.master_type, search.master_count) == ("", 0)
    assert (search.warm_type, search.warm_count, search.cold_storage) == ("", 0, False)


def test_component_values_are_the_args_keywords():
    from components.leasing_search import LeasingSearchArgs

    values = parse(shipped("prod"), stack="prod").leasing.search.component_values()
    assert set(values) <= set(LeasingSearchArgs.__dataclass_fields__)
    assert values["warm_count"] == 0 and values["create_service_linked_role"] is False


def test_out_of_range_and_malformed_values_name_their_keys():
    problems = search_problems(
        {
            "leasingSearchStreamMode": "SERVERLESS",
            "leasingSearchShardCount": "0",
            "leasingSearchRetentionHours": "12",
            "leasingSearchBatchSize": "20000",
            "leasingSearchMaxRetryAttempts": "-1",
            "leasingSearchParallelization": "11",
            "leasingSearchInstanceType": "r6g.large",
            "leasingSearchEngineVersion": "2.19",
            "leasingSearchVolumeGb": "5",
        }
    )
    assert set(problems) == {
        "leasingSearchStreamMode",
        "leasingSearchShardCount",
        "leasingSearchRetentionHours",
        "leasingSearchBatchSize",
        "leasingSearchMaxRetryAttempts",
        "leasingSearchParallelization",
        "leasingSearchInstanceType",
        "leasingSearchEngineVersion",
        "leasingSearchVolumeGb",
    }
    assert problems["leasingSearchMaxRetryAttempts"][0].expected == "an integer between 0 and 10000"
    assert problems["leasingSearchStreamMode"][0].expected == "one of PROVISIONED, ON_DEMAND"


def test_masters_come_in_threes_or_fives_with_a_type():
    problems = search_problems({"leasingSearchMasterCount": "2"})
    assert problems["leasingSearchMasterCount"][0].expected == "0, 3 or 5 dedicated master nodes"
    assert "exactly when the master count is above 0" in problems["leasingSearchMasterType"][0].expected


def test_ultrawarm_needs_masters_and_non_burstable_data_nodes():
    problems = search_problems({"leasingSearchWarmCount": "2", "leasingSearchWarmType": "ultrawarm1.medium.search"})
    assert [p.expected for p in problems["leasingSearchWarmCount"]] == [
        "0 unless dedicated masters are set (UltraWarm needs them)"
    ]
    assert problems["leasingSearchInstanceType"][0].expected == "a non-burstable type when UltraWarm is on"


def test_a_single_ultrawarm_node_is_refused():
    problems = search_problems(
        {
            "leasingSearchWarmCount": "1",
            "leasingSearchWarmType": "ultrawarm1.medium.search",
            "leasingSearchMasterCount": "3",
            "leasingSearchMasterType": "m6g.large.search",
            "leasingSearchInstanceType": "r6g.large.search",
        }
    )
    assert list(problems) == ["leasingSearchWarmCount"]
    assert problems["leasingSearchWarmCount"][0].expected == "0, or at least 2 UltraWarm nodes"


def test_data_nodes_spread_evenly_over_two_or_three_azs():
    assert (
        "multiple of 2 or 3"
        in search_problems({"leasingSearchInstanceCount": "5"})["leasingSearchInstanceCount"][0].expected
    )
    for count in ("1", "2", "3", "4", "6", "9"):
        assert parse({"blueprints:leasingSearchInstanceCount": count}, stack="t").leasing.search.instance_count == int(
            count
        )


def test_cold_storage_without_ultrawarm_is_refused():
    problems = search_problems({"leasingSearchColdStorage": "true"})
    assert problems["leasingSearchColdStorage"][0].expected == "false unless UltraWarm is on (cold storage needs it)"
