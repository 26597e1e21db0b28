"""The search bootstrap against the signed fake OpenSearch: template, index and alias, FGAC roles."""

from __future__ import annotations

import pytest

from lambdas.search_bootstrap import handler as bootstrap_handler
from lambdas.search_bootstrap.bootstrap import load_template
from lambdas.search_indexer import handler as indexer_handler
from tests.lambdas.search.fake_opensearch import FakeOpenSearch
from tests.lambdas.search.search_helpers import (
    ACCOUNT,
    CREDENTIALS,
    LISTING_PROPERTIES,
    REGION,
    FakeContext,
    kinesis_event,
    upsert,
)

WRITER = f"arn:aws:iam::{ACCOUNT}:role/leasing-search-indexer"
READER = f"arn:aws:iam::{ACCOUNT}:role/leasing-search-api"
EVENT = {"alias": "listings", "replicas": 1, "writer_role_arns": [WRITER], "reader_role_arns": [READER]}


@pytest.fixture
def empty_domain(aws_credentials, monkeypatch):
    fake = FakeOpenSearch(credentials=CREDENTIALS, region=REGION).start()
    monkeypatch.setenv("OPENSEARCH_ENDPOINT", fake.url)
    yield fake
    fake.stop()


def test_first_run_creates_template_index_alias_and_roles(empty_domain):
    result = bootstrap_handler.handler(EVENT, FakeContext())

    assert result == {
        "index": "listings-v1",
        "alias": "listings",
        "index_created": True,
        "replicas": 1,
        "roles": ["listings_reader", "listings_writer"],
        "history_alias": "listings-history",
        "history_created": True,
        "tiers": False,
    }
    template = empty_domain.templates["listings"]
    assert template["index_patterns"] == ["listings-*"]
    assert template["template"]["settings"]["index"]["number_of_replicas"] == 1
    assert template["template"]["mappings"] == load_template()["template"]["mappings"]
    assert empty_domain.aliases == {"listings": "listings-v1", "listings-history": "listings-history-000001"}
    assert empty_domain.indices["listings-v1"] == LISTING_PROPERTIES  # strict mapping came from the template
    assert empty_domain.security["rolesmapping"] == {
        "listings_writer": {"backend_roles": [WRITER]},
        "listings_reader": {"backend_roles": [READER]},
    }
    writer = empty_domain.security["roles"]["listings_writer"]
    assert writer["cluster_permissions"] == ["indices:data/write/bulk"]
    assert writer["index_permissions"][0]["index_patterns"] == ["listings", "listings-*"]
    assert empty_domain.security["roles"]["listings_reader"]["index_permissions"][0]["allowed_actions"] == [
        "indices:data/read/search*"
    ]
    assert all(r.signature_ok for r in empty_domain.requests)


def test_second_run_keeps_the_index_and_follows_the_replica_count(empty_domain):
    bootstrap_handler.handler(EVENT, FakeContext())

    result = bootstrap_handler.handler({**EVENT, "replicas": 2}, FakeContext())

    assert result["index_created"] is False
    assert empty_domain.index_settings["listings-v1"]["number_of_replicas"] == 2
    assert [r.path for r in empty_domain.requests if r.method == "PUT" and r.path == "/listings-v1"] == ["/listings-v1"]


def test_endpoint_can_come_with_the_input(empty_domain, monkeypatch):
    monkeypatch.setenv("OPENSEARCH_ENDPOINT", "http://127.0.0.1:9")  # wrong on purpose: the input wins
    result = bootstrap_handler.handler({**EVENT, "endpoint": empty_domain.url}, FakeContext())
    assert result["index_created"] is True


def test_bad_input_lists_every_problem_and_touches_nothing(empty_domain):
    with pytest.raises(ValueError) as caught:
        bootstrap_handler.handler(
            {"alias": "Listings!", "replicas": 5, "writer_role_arns": ["not-an-arn"]}, FakeContext()
        )
    message = str(caught.value)
    for part in ("alias must be", "replicas must be", "writer_role_arns must be", "reader_role_arns must be"):
        assert part in message
    assert empty_domain.requests == []


def test_indexer_can_write_once_the_bootstrap_ran(empty_domain, failure_queue, monkeypatch):
    bootstrap_handler.handler({**EVENT, "replicas": 0}, FakeContext())
    monkeypatch.setenv("FAILURE_QUEUE_URL", failure_queue[1])
    indexer_handler.reset_clients()
    try:
        assert indexer_handler.handler(kinesis_event([upsert("avb-1", 1)]), FakeContext()) == {"batchItemFailures": []}
    finally:
        indexer_handler.reset_clients()
    version, document = empty_domain.docs[("listings-v1", "avb-1")]
    assert (version, document["listing_id"]) == (1, "avb-1")


TIERS = {"warm_after_days": 60, "cold_after_days": 365}


def test_history_rolls_over_behind_a_write_alias_managed_by_the_tiering_policy(empty_domain):
    result = bootstrap_handler.handler({**EVENT, "tiers": TIERS}, FakeContext())

    assert (result["history_created"], result["tiers"]) == (True, True)
    assert empty_domain.aliases["listings-history"] == "listings-history-000001"
    settings = empty_domain.index_settings["listings-history-000001"]
    assert settings["plugins.index_state_management.rollover_alias"] == "listings-history"
    assert empty_domain.indices["listings-history-000001"]["listing"] == {"type": "object", "enabled": False}
    assert empty_domain.ism_managed == {"listings-history-000001": "listings-history-tiers"}
    policy = empty_domain.ism_policies["listings-history-tiers"]["policy"]
    states = {state["name"]: state for state in policy["states"]}
    assert states["hot"]["actions"] == [{"rollover": {"min_index_age": "30d"}}]
    assert states["hot"]["transitions"] == [{"state_name": "warm", "conditions": {"min_index_age": "60d"}}]
    assert "warm_migration" in states["warm"]["actions"][0]
    assert states["warm"]["transitions"] == [{"state_name": "cold", "conditions": {"min_index_age": "365d"}}]
    assert states["cold"]["actions"] == [{"cold_migration": {"timestamp_field": "changed_at"}}]
    # the listing index (changed in place) is not managed: it stays hot
    assert "listings-v1" not in empty_domain.ism_managed


def test_without_tiers_the_history_only_rolls_over(empty_domain):
    bootstrap_handler.handler(EVENT, FakeContext())
    (state,) = empty_domain.ism_policies["listings-history-tiers"]["policy"]["states"]
    assert state["name"] == "hot" and state["transitions"] == []


def test_a_second_run_updates_the_policy_and_keeps_the_history_index(empty_domain):
    bootstrap_handler.handler(EVENT, FakeContext())
    result = bootstrap_handler.handler({**EVENT, "tiers": TIERS}, FakeContext())
    assert result["history_created"] is False
    entry = empty_domain.ism_policies["listings-history-tiers"]
    assert entry["_seq_no"] == 1 and len(entry["policy"]["states"]) == 3
    assert [r.path for r in empty_domain.requests if r.method == "PUT" and r.path.startswith("/listings-history-")] == [
        "/listings-history-000001"
    ]


@pytest.mark.parametrize(
    "tiers", [{"warm_after_days": 10, "cold_after_days": 365}, {"warm_after_days": 90, "cold_after_days": 60}, "yes"]
)
def test_tiers_out_of_order_are_refused(empty_domain, tiers):
    with pytest.raises(ValueError, match="tiers must be"):
        bootstrap_handler.handler({**EVENT, "tiers": tiers}, FakeContext())
