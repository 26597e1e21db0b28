"""Amazon S3: buckets, the bucket side resources identified by their bucket, objects."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .registry import PARTITION, Ctx, InvokeCtx, aws_invoke, aws_type, published_zone_id

if TYPE_CHECKING:
    from .mocks import FakeAws


_S3_ZONE_IDS = {
    "us-east-1": "Z3AQBSTGFYJSTF",
    "us-east-2": "Z2O1EMRO9K5GLX",
    "us-west-1": "Z2F56UZL2M1ACD",
    "us-west-2": "Z3BJ6K6RIION7M",
    "eu-west-1": "Z1BKCTXD74EZPE",
    "eu-central-1": "Z21DNDUVLTQW6Q",
}


@aws_type("aws:s3/bucket:Bucket", name="bucket", max_name=63)
def _s3_bucket(c: Ctx):
    bucket = c.physical_name.lower()
    return bucket, {
        "bucket": bucket,
        "arn": f"arn:{c.partition}:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{c.region}.amazonaws.com",
        "hostedZoneId": published_zone_id(_S3_ZONE_IDS, c.region, "s3"),
        "region": c.region,
    }


def _bucket_side(c: Ctx):
    # S3 side resources (versioning, encryption, policy, ...) are identified by their bucket.
    return str(c.get("bucket", c.name)), {}


for _token in (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketAcl:BucketAcl",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketNotification:BucketNotification",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketIntelligentTieringConfiguration:BucketIntelligentTieringConfiguration",
):
    aws_type(_token)(_bucket_side)


@aws_type("aws:s3/bucketObject:BucketObject")
@aws_type("aws:s3/bucketObjectv2:BucketObjectv2")
def _s3_object(c: Ctx):
    key = c.get("key", c.name)
    return key, {
        "etag": c.hex(32),
        "versionId": c.alnum(32),
        "key": key,
        "arn": f"arn:{c.partition}:s3:::{c.get('bucket', 'bucket')}/{key}",
    }


@aws_invoke("aws:s3/getBucket:getBucket")
def _get_bucket(fake: FakeAws, i: InvokeCtx) -> dict:
    bucket = i.args.get("bucket", "bucket")
    return {
        "id": bucket,
        "bucket": bucket,
        "arn": f"arn:{PARTITION}:s3:::{bucket}",
        "region": i.region,
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{i.region}.amazonaws.com",
        "hostedZoneId": published_zone_id(_S3_ZONE_IDS, i.region, "s3"),
    }
