"""Messaging, data and secrets prices: SQS, SNS, DynamoDB, Secrets Manager, KMS, S3, ECR, SSM, Private CA."""

from __future__ import annotations

from ..stack import Res
from ..values import number
from .engine import Ctx, Line, prices


def _per(quantity: float | None, divisor: float) -> float | None:
    return None if quantity is None else quantity / divisor


@prices("aws:sqs/queue:Queue", usage={"monthly_requests": "requests to the queue a month (send, receive, delete)"})
def _queue(res: Res, ctx: Ctx, line: Line) -> None:
    kind = "fifo" if res.get("fifoQueue") is True else "standard"
    line.usage(
        f"{kind} requests",
        _per(ctx.declared(res, "monthly_requests"), 1e6),
        "million requests",
        ctx.price(line, f"sqs.{kind}.million"),
        "monthly_requests",
    )


@prices("aws:sns/topic:Topic", usage={"monthly_requests": "publishes to the topic a month"})
def _topic(res: Res, ctx: Ctx, line: Line) -> None:
    line.usage(
        "publishes",
        _per(ctx.declared(res, "monthly_requests"), 1e6),
        "million publishes",
        ctx.price(line, "sns.publish.million"),
        "monthly_requests",
    )
    line.exclude("SNS deliveries to e-mail, SMS and HTTP endpoints")


@prices(
    "aws:dynamodb/table:Table",
    usage={
        "monthly_write_request_units": "write request units a month (on-demand)",
        "monthly_read_request_units": "read request units a month (on-demand)",
        "storage_gb": "GB stored in the table",
    },
)
def _table(res: Res, ctx: Ctx, line: Line) -> None:
    copies = 1 + len(res.get("replicas", default=[]) or [])
    where = f" x {copies} Regions" if copies > 1 else ""
    storage = ctx.declared(res, "storage_gb")
    line.stored(
        f"storage{where}",
        None if storage is None else storage * copies,
        "GB-months",
        ctx.price(line, "dynamodb.storage.gbMonth"),
        "storage_gb",
    )
    if res.get("billingMode", default="PROVISIONED") == "PAY_PER_REQUEST":
        for what, key, price in (
            ("writes", "monthly_write_request_units", "dynamodb.onDemand.writeMillion"),
            ("reads", "monthly_read_request_units", "dynamodb.onDemand.readMillion"),
        ):
            units = ctx.declared(res, key)
            line.usage(
                f"on-demand {what}{where}",
                None if units is None else units * copies / 1e6,
                "million request units",
                ctx.price(line, price),
                key,
            )
        return
    for what, prop, price in (
        ("write capacity", "writeCapacity", "dynamodb.provisioned.wcuHour"),
        ("read capacity", "readCapacity", "dynamodb.provisioned.rcuHour"),
    ):
        units = number(res.get(prop))
        units = units if isinstance(units, float) else 0.0
        line.fixed(
            f"provisioned {what}{where}", units * ctx.hours * copies, "capacity unit-hours", ctx.price(line, price)
        )


@prices("aws:secretsmanager/secret:Secret", usage={"monthly_api_calls": "API calls to the secret a month"})
def _secret(res: Res, ctx: Ctx, line: Line) -> None:
    copies = 1 + len(res.get("replicas", default=[]) or [])
    line.fixed(
        "secret" + (f" and {copies - 1} replica(s)" if copies > 1 else ""),
        copies,
        "secret-months",
        ctx.price(line, "secretsmanager.secret.month"),
    )
    line.usage(
        "API calls",
        _per(ctx.declared(res, "monthly_api_calls"), 10_000),
        "10,000 calls",
        ctx.price(line, "secretsmanager.apiCalls.tenThousand"),
        "monthly_api_calls",
    )


@prices(
    "aws:kms/key:Key",
    "aws:kms/replicaKey:ReplicaKey",
    usage={"monthly_requests": "cryptographic requests to the key a month"},
)
def _kms_key(res: Res, ctx: Ctx, line: Line) -> None:
    line.fixed("customer managed key", 1, "key-months", ctx.price(line, "kms.key.month"))
    line.usage(
        "requests",
        _per(ctx.declared(res, "monthly_requests"), 10_000),
        "10,000 requests",
        ctx.price(line, "kms.requests.tenThousand"),
        "monthly_requests",
    )


@prices("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", usage={"storage_gb": "GB stored (S3 Standard)"})
def _bucket(res: Res, ctx: Ctx, line: Line) -> None:
    line.stored(
        "Standard storage",
        ctx.declared(res, "storage_gb"),
        "GB-months",
        ctx.price(line, "s3.standard.gbMonth"),
        "storage_gb",
    )
    line.exclude("S3 requests")


@prices("aws:ecr/repository:Repository", usage={"storage_gb": "GB of images stored"})
def _repository(res: Res, ctx: Ctx, line: Line) -> None:
    line.stored(
        "image storage",
        ctx.declared(res, "storage_gb"),
        "GB-months",
        ctx.price(line, "ecr.storage.gbMonth"),
        "storage_gb",
    )


@prices("aws:ssm/parameter:Parameter")
def _parameter(res: Res, ctx: Ctx, line: Line) -> None:
    if res.get("tier") == "Advanced":
        line.fixed("advanced parameter", 1, "parameter-months", ctx.price(line, "ssm.advancedParameter.month"))
    else:
        line.note("standard parameter: no charge")


@prices(
    "aws:acmpca/certificateAuthority:CertificateAuthority",
    usage={"monthly_certificates": "private certificates issued a month"},
)
def _private_ca(res: Res, ctx: Ctx, line: Line) -> None:
    # A CA bills per month in its mode, and every certificate it issues (https://aws.amazon.com/private-ca/pricing/).
    short_lived = res.get("usageMode", default="GENERAL_PURPOSE") == "SHORT_LIVED_CERTIFICATE"
    mode = "shortLived" if short_lived else "generalPurpose"
    line.fixed(
        f"private CA, {'short-lived certificate' if short_lived else 'general-purpose'} mode",
        1,
        "CA-months",
        ctx.price(line, f"acmpca.{mode}.month"),
    )
    line.usage(
        "certificates issued",
        ctx.declared(res, "monthly_certificates"),
        "certificates",
        ctx.price(line, f"acmpca.certificate.{mode}"),
        "monthly_certificates",
    )
