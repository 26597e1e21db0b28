"""Account-level invokes: caller identity, Regions, partition, default tags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .registry import PARTITION, UPPER_ALNUM, InvokeCtx, aws_invoke, chars

if TYPE_CHECKING:
    from .mocks import FakeAws


@aws_invoke("aws:index/getCallerIdentity:getCallerIdentity")
def _get_caller_identity(fake: FakeAws, i: InvokeCtx) -> dict:
    if i.provider.assume_role_arns:
        role = i.provider.assume_role_arns[-1].split("/")[-1]
        arn = f"arn:{PARTITION}:sts::{i.account}:assumed-role/{role}/pulumi-preview"
        user_id = f"AROA{chars(role, 17, UPPER_ALNUM)}:pulumi-preview"
    else:
        arn = f"arn:{PARTITION}:iam::{i.account}:user/pulumi-preview"
        user_id = "AIDA" + chars(i.account, 17, UPPER_ALNUM)
    return {"accountId": i.account, "arn": arn, "userId": user_id, "id": i.account}


@aws_invoke("aws:index/getRegion:getRegion")
def _get_region(fake: FakeAws, i: InvokeCtx) -> dict:
    return {
        "region": i.region,
        "name": i.region,
        "id": i.region,
        "endpoint": f"ec2.{i.region}.amazonaws.com",
        "description": i.region,
    }


@aws_invoke("aws:index/getRegions:getRegions")
def _get_regions(fake: FakeAws, i: InvokeCtx) -> dict:
    regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
    return {"names": regions, "id": PARTITION}


@aws_invoke("aws:index/getPartition:getPartition")
def _get_partition(fake: FakeAws, i: InvokeCtx) -> dict:
    return {"partition": PARTITION, "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws", "id": PARTITION}


@aws_invoke("aws:index/getDefaultTags:getDefaultTags")
def _get_default_tags(fake: FakeAws, i: InvokeCtx) -> dict:
    return {"tags": dict(i.provider.default_tags), "id": PARTITION}
