"""Shared formats: each rule returns what is expected, or None; config and Args both call them."""

import pytest

from components.rules import formats, leasing


@pytest.mark.parametrize("days, ok", [(14, True), (3653, True), (10, False), (0, False)])
def test_log_retention_is_one_of_the_values_cloudwatch_logs_accepts(days, ok):
    assert (formats.log_retention_problem(days) is None) is ok


def test_cidr_pairs_report_each_side_and_the_overlap_on_the_second():
    assert formats.cidr_pair_problems("10.0.0.0/16", "10.1.0.0/16") == (None, None)
    assert formats.cidr_pair_problems("10.0.0.0/16", "10.0.128.0/17") == (
        None,
        "a range that does not overlap the other VPC's",
    )
    first, second = formats.cidr_pair_problems("10.0.0.1/16", "10.0.0.0/8")
    assert "CIDR notation" in first and "between /16 and /24" in second


def test_certificates_are_acm_arns_in_the_region_that_uses_them():
    arn = "arn:aws:acm:us-east-1:111111111111:certificate/" + "0" * 36
    assert formats.certificate_problem(arn) is None and formats.certificate_problem(arn, "us-east-1") is None
    assert "Regional" in formats.certificate_problem(arn, "us-west-2")
    assert (
        formats.certificate_problem("arn:aws:acm:us-east-1:111111111111:certificate/nope") == "an ACM certificate ARN"
    )


def test_throttling_stays_within_the_account_quota():
    assert formats.throttle_problems(100.0, 50) == []
    assert len(formats.throttle_problems(20_000.0, 0)) == 2


def test_search_topology_names_the_argument_each_problem_is_about():
    problems = leasing.search_topology_problems(
        instance_type="t3.small.search",
        instance_count=1,
        master_type="",
        master_count=0,
        warm_type="ultrawarm1.medium.search",
        warm_count=2,
        cold_storage=False,
    )
    assert [argument for argument, _, _ in problems] == ["warm_count", "instance_type"]
    assert leasing.data_node_count_problem(5) and leasing.data_node_count_problem(6) is None
    assert "multiple of the AZ count (2)" in leasing.data_node_count_problem(3, zones=2)
