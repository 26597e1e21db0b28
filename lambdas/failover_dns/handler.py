"""Repoints the writer CNAME in the private hosted zone at the global database's current primary.

Triggered in each Region by the rule on ``aws.rds`` "RDS DB Cluster Event" (``events.py``), or by
an operator (``{"action": "reconcile"}``, optionally with ``"writer_cluster_arn"`` after a detach
and promote, when the promoted cluster has left the global database).

The event only says *that* something happened: the writer is read from ``DescribeGlobalClusters``
(the member with ``IsWriter``), so duplicate, late or out-of-order events all converge on the same
record. The record is read first and written (UPSERT) only when it differs, so running twice, or in
both Regions at once, changes it at most once. A writer that is not ready (cluster not available,
no writer instance: RDS-EVENT-0519) raises, so the asynchronous invocation is retried and then
lands in the function's dead-letter queue.

Environment: ``GLOBAL_CLUSTER_ID``, ``HOSTED_ZONE_ID``, ``RECORD_NAME``, ``RECORD_TTL`` (seconds,
default 5), ``CLUSTER_ARNS`` (comma-separated member clusters the record may point at) and
``WRITER_TARGETS`` (optional JSON object, cluster ARN -> the name to publish for it, e.g. the
read/write endpoint of the RDS Proxy in front of that cluster; without it the record gets the
cluster's own writer endpoint).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import boto3
from aws_lambda_powertools import Logger

from . import events

logger = Logger()

_clients: dict[tuple[str, str | None], object] = {}


def client(service: str, region: str | None = None):
    """boto3 clients, created lazily once per (service, Region) so tests can moto or patch them."""
    key = (service, region)
    if key not in _clients:
        _clients[key] = boto3.client(service, region_name=region) if region else boto3.client(service)
    return _clients[key]


class WriterNotReady(RuntimeError):
    """The new primary cannot take writes yet; raised so the invocation is retried."""


class ConfigurationError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    global_cluster_id: str
    hosted_zone_id: str
    record_name: str
    ttl: int
    cluster_arns: tuple[str, ...]
    writer_targets: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        problems = [
            f"{key} is not set" for key in ("GLOBAL_CLUSTER_ID", "HOSTED_ZONE_ID", "RECORD_NAME") if not env.get(key)
        ]
        try:
            ttl = int(env.get("RECORD_TTL", "5"))
            if not 0 <= ttl <= 300:
                problems.append(f"RECORD_TTL must be 0..300 seconds (short, for fast failover), got {ttl}")
        except ValueError:
            problems.append(f"RECORD_TTL must be a number of seconds, got {env.get('RECORD_TTL')!r}")
            ttl = 0
        targets: dict = {}
        try:
            targets = json.loads(env.get("WRITER_TARGETS") or "{}")
            if not isinstance(targets, dict) or not all(isinstance(v, str) and v for v in targets.values()):
                raise ValueError
        except ValueError:
            problems.append("WRITER_TARGETS must be a JSON object of cluster ARN to host name")
        if problems:
            raise ConfigurationError("failover DNS settings: " + "; ".join(problems))
        arns = tuple(a.strip() for a in env.get("CLUSTER_ARNS", "").split(",") if a.strip())
        return cls(env["GLOBAL_CLUSTER_ID"], env["HOSTED_ZONE_ID"], _fqdn(env["RECORD_NAME"]), ttl, arns, targets)


def _fqdn(name: str) -> str:
    return name.rstrip(".").lower() + "."


def _region_of(cluster_arn: str) -> str:
    parts = cluster_arn.split(":")
    if len(parts) < 7 or parts[2] != "rds" or parts[5] != "cluster":
        raise ConfigurationError(f"not a DB cluster ARN: {cluster_arn}")
    return parts[3]


def _is_writer_event(event: dict) -> bool:
    detail = event.get("detail") or {}
    return (
        event.get("source") == events.SOURCE
        and event.get("detail-type") == events.DETAIL_TYPE
        and detail.get("EventID") in events.WRITER_CHANGED_EVENT_IDS
    )


def _event_cluster(event: dict) -> str | None:
    detail = event.get("detail") or {}
    return detail.get("SourceArn") or next(iter(event.get("resources") or []), None)


def current_writer_arn(settings: Settings) -> str:
    response = client("rds").describe_global_clusters(GlobalClusterIdentifier=settings.global_cluster_id)
    for cluster in response.get("GlobalClusters", []):
        if cluster.get("GlobalClusterIdentifier") != settings.global_cluster_id:
            continue
        writers = [m["DBClusterArn"] for m in cluster.get("GlobalClusterMembers", []) if m.get("IsWriter")]
        if len(writers) == 1:
            return writers[0]
        raise WriterNotReady(f"global cluster {settings.global_cluster_id} has {len(writers)} writers: {writers}")
    raise WriterNotReady(f"global cluster {settings.global_cluster_id} not found")


def writer_endpoint(cluster_arn: str) -> str:
    identifier = cluster_arn.split(":", 6)[6]
    rds = client("rds", _region_of(cluster_arn))
    cluster = rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
    if cluster.get("Status") != "available":
        raise WriterNotReady(f"{identifier} is {cluster.get('Status')}, not available")
    if not any(m.get("IsClusterWriter") for m in cluster.get("DBClusterMembers", [])):
        raise WriterNotReady(f"{identifier} has no writer instance (add a DB instance to the promoted cluster)")
    return cluster["Endpoint"]


def current_record(settings: Settings) -> dict | None:
    response = client("route53").list_resource_record_sets(
        HostedZoneId=settings.hosted_zone_id,
        StartRecordName=settings.record_name,
        StartRecordType="CNAME",
        MaxItems="1",
    )
    for record in response.get("ResourceRecordSets", []):
        if _fqdn(record["Name"]) == settings.record_name and record["Type"] == "CNAME":
            return record
    return None


def point_record(settings: Settings, target: str) -> dict:
    record = current_record(settings)
    if record is not None:
        values = [_fqdn(r["Value"]) for r in record.get("ResourceRecords", [])]
        if values == [_fqdn(target)] and record.get("TTL") == settings.ttl:
            return {"status": "unchanged"}
    change = client("route53").change_resource_record_sets(
        HostedZoneId=settings.hosted_zone_id,
        ChangeBatch={
            "Comment": "Aurora global database writer moved",
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": settings.record_name,
                        "Type": "CNAME",
                        "TTL": settings.ttl,
                        "ResourceRecords": [{"Value": target}],
                    },
                }
            ],
        },
    )
    return {
        "status": "updated",
        "change_id": change["ChangeInfo"]["Id"],
        "previous": record["ResourceRecords"][0]["Value"] if record else None,
    }


@logger.inject_lambda_context
def handler(event, context):
    settings = Settings.from_env()
    override = None
    if event.get("action") == "reconcile":
        override = event.get("writer_cluster_arn")
        if override and override not in settings.cluster_arns:
            raise ConfigurationError(
                f"{override} is not one of the clusters this record may point at "
                f"(CLUSTER_ARNS: {', '.join(settings.cluster_arns) or 'none'})"
            )
    elif not _is_writer_event(event):
        logger.info("not a writer change; ignored", extra={"detail_type": event.get("detail-type")})
        return {"status": "ignored"}
    else:
        source = _event_cluster(event)
        if settings.cluster_arns and source not in settings.cluster_arns:
            logger.info("event for a cluster outside this global database; ignored", extra={"cluster": source})
            return {"status": "ignored"}
        logger.info("writer change", extra={"event_id": event["detail"]["EventID"], "cluster": source})

    writer = override or current_writer_arn(settings)
    if settings.cluster_arns and writer not in settings.cluster_arns:
        raise ConfigurationError(f"writer {writer} is not one of CLUSTER_ARNS; refusing to point the record at it")
    endpoint = writer_endpoint(writer)  # also checks that the new primary can take writes
    if settings.writer_targets:
        if writer not in settings.writer_targets:
            raise ConfigurationError(f"WRITER_TARGETS has no entry for the writer {writer}")
        target = settings.writer_targets[writer]
    else:
        target = endpoint
    result = {
        **point_record(settings, target),
        "record": settings.record_name,
        "target": target,
        "writer_cluster_arn": writer,
    }
    logger.info("writer record", extra=result)
    return result
