"""Messaging, data and secrets prices: SQS, SNS, DynamoDB, Secrets Manager, KMS, S3, ECR, SSM, Private CA."""

from __future__ import annotations

from ..stack import Res
from ..values import number
from .engine import Ctx, Line, money, prices


@prices("aws:sqs/queue:Queue")
def _queue(res: Res, ctx: Ctx, line: Line) -> None:
    requests = ctx.usage(res, "sqsRequestsPerMonth")
    kind = "fifo" if res.get("fifoQueue") is True else "standard"
    cost = requests / 1e6 * ctx.price(line, f"sqs.{kind}.million")
    line.add(cost, low=0, note=f"{requests:,.0f} {kind} requests (free tier not applied)")


@prices("aws:sns/topic:Topic")
def _topic(res: Res, ctx: Ctx, line: Line) -> None:
    publishes = ctx.usage(res, "snsPublishesPerMonth")
    cost = publishes / 1e6 * ctx.price(line, "sns.publish.million")
    line.add(cost, low=0, note=f"{publishes:,.0f} publishes (deliveries other than Lambda/SQS not estimated)")


@prices("aws:dynamodb/table:Table")
def _table(res: Res, ctx: Ctx, line: Line) -> None:
    copies = 1 + len(res.get("replicas", default=[]) or [])
    storage_gb = ctx.usage(res, "dynamodbStorageGb")
    storage = storage_gb * ctx.price(line, "dynamodb.storage.gbMonth") * copies
    if res.get("billingMode", default="PROVISIONED") == "PAY_PER_REQUEST":
        writes, reads = ctx.usage(res, "dynamodbWritesPerMonth"), ctx.usage(res, "dynamodbReadsPerMonth")
        requests = (writes / 1e6 * ctx.price(line, "dynamodb.onDemand.writeMillion")
                    + reads / 1e6 * ctx.price(line, "dynamodb.onDemand.readMillion")) * copies
        line.add(requests + storage, low=0, note=f"on-demand: {writes:,.0f} writes and {reads:,.0f} reads, "
                                                  f"{storage_gb:g} GB, {copies} Region(s)")
        return
    wcu, rcu = number(res.get("writeCapacity")), number(res.get("readCapacity"))
    wcu = wcu if isinstance(wcu, float) else 0.0
    rcu = rcu if isinstance(rcu, float) else 0.0
    capacity = (wcu * ctx.price(line, "dynamodb.provisioned.wcuHour")
                + rcu * ctx.price(line, "dynamodb.provisioned.rcuHour")) * ctx.hours * copies
    line.add(capacity, note=f"provisioned {wcu:g} WCU / {rcu:g} RCU {money(capacity)}")
    line.add(storage, low=0, note=f"{storage_gb:g} GB stored")


@prices("aws:secretsmanager/secret:Secret")
def _secret(res: Res, ctx: Ctx, line: Line) -> None:
    copies = 1 + len(res.get("replicas", default=[]) or [])
    monthly = copies * ctx.price(line, "secretsmanager.secret.month")
    calls = ctx.usage(res, "secretsApiCallsPerMonth")
    api = calls / 10_000 * ctx.price(line, "secretsmanager.apiCalls.tenThousand")
    line.add(monthly, note=f"{copies} secret(s) {money(monthly)}")
    line.add(api, low=0, note=f"{calls:,.0f} API calls {money(api)}")


@prices("aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey")
def _kms_key(res: Res, ctx: Ctx, line: Line) -> None:
    key = ctx.price(line, "kms.key.month")
    calls = ctx.usage(res, "kmsRequestsPerMonth")
    api = calls / 10_000 * ctx.price(line, "kms.requests.tenThousand")
    line.add(key, note=f"customer managed key {money(key)}")
    line.add(api, low=0, note=f"{calls:,.0f} requests {money(api)}")


@prices("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
def _bucket(res: Res, ctx: Ctx, line: Line) -> None:
    gb = ctx.usage(res, "s3StorageGb")
    cost = gb * ctx.price(line, "s3.standard.gbMonth")
    line.add(cost, low=0, note=f"{gb:g} GB Standard (requests not estimated)")


@prices("aws:ecr/repository:Repository")
def _repository(res: Res, ctx: Ctx, line: Line) -> None:
    gb = ctx.usage(res, "ecrStorageGb")
    line.add(gb * ctx.price(line, "ecr.storage.gbMonth"), low=0, note=f"{gb:g} GB of images")


@prices("aws:ssm/parameter:Parameter")
def _parameter(res: Res, ctx: Ctx, line: Line) -> None:
    if res.get("tier") == "Advanced":
        line.add(ctx.price(line, "ssm.advancedParameter.month"), note="advanced parameter")
    else:
        line.add(0, note="standard parameter: no charge")


@prices("aws:acmpca/certificateAuthority:CertificateAuthority")
def _private_ca(res: Res, ctx: Ctx, line: Line) -> None:
    mode = res.get("usageMode", default="GENERAL_PURPOSE")
    key = "acmpca.shortLived.month" if mode == "SHORT_LIVED_CERTIFICATE" else "acmpca.generalPurpose.month"
    line.add(ctx.price(line, key), note=f"private CA, {mode} mode (certificates issued not estimated)")
