"""The bundled price table: every price has a source page and a date, both required Regions are
covered, Windows prices exist for the Windows-capable GPU types."""

import json
import re
from pathlib import Path

import pytest
from cost_rules import prices

TABLE = json.loads((Path(prices.PRICES_FILE)).read_text())
REGIONS = ("us-east-1", "us-west-2")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def items():
    for region in TABLE["prices"]:
        for key, item in TABLE["prices"][region].items():
            yield region, key, item


def test_both_required_regions_have_the_same_price_keys():
    assert set(REGIONS) <= set(TABLE["prices"])
    assert set(TABLE["prices"]["us-east-1"]) == set(TABLE["prices"]["us-west-2"])


@pytest.mark.parametrize("region,key,item", list(items()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_price_names_its_source_page_and_date(region, key, item):
    assert item["source"].startswith("https://aws.amazon.com/"), key
    assert DATE.match(item["asOf"]), key
    assert item["unit"].startswith("USD per"), key
    values = item.get("usd", next((v for k, v in item.items() if k.startswith("usdBy")), None))
    flat = (
        [values]
        if isinstance(values, (int, float))
        else [x for v in values.values() for x in (v.values() if isinstance(v, dict) else [v])]
    )
    assert flat and all(isinstance(x, (int, float)) and x >= 0 for x in flat), key


def test_every_source_is_listed_with_title_url_and_date():
    urls = {s["url"] for s in TABLE["sources"].values()}
    for _, key, item in items():
        assert item["source"] in urls, key
    for source in TABLE["sources"].values():
        assert source["title"] and DATE.match(source["asOf"])


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("instance_type", ["g4dn.xlarge", "g4dn.2xlarge", "g4ad.xlarge", "g4ad.4xlarge", "g5.xlarge"])
def test_gpu_workstation_types_have_linux_and_windows_prices(region, instance_type):
    price = TABLE["prices"][region]["ec2.instance.hour"]["usdByType"][instance_type]
    # Windows adds the license on top of the same hardware.
    assert price["windows"] > price["linux"] > 0


def test_free_types_carry_a_reason_and_a_source():
    for token, entry in TABLE["free"].items():
        assert token.startswith("aws:"), token
        assert entry["reason"] and entry["source"].startswith("https://aws.amazon.com/"), token


def test_loader_falls_back_to_us_east_1_for_a_region_without_prices():
    table = prices.load()
    found = table.price("eu-west-3", "natGateway.hour")
    assert found.fallback and found.region == "us-east-1"
    assert table.price("us-west-2", "natGateway.hour").fallback is False


def test_a_broken_table_is_a_clear_error(tmp_path):
    broken = tmp_path / "prices.json"
    broken.write_text("{not json")
    with pytest.raises(prices.PriceTableError, match="cannot read the price table"):
        prices.load.__wrapped__(broken)


def test_a_type_is_either_priced_or_free_never_both():
    from cost_rules.pricing import PRICERS

    assert set(PRICERS) & set(TABLE["free"]) == set()


def test_new_prices_name_their_price_list_offer():
    for _, key, item in items():
        if key.startswith(("dataTransfer.", "route53.queries.", "lambda.provisionedDuration.", "acmpca.certificate.")):
            assert item["offer"] in {
                "AWSDataTransfer",
                "AmazonEC2",
                "AmazonRoute53",
                "AWSLambda",
                "AWSCertificateManager",
            }, key
