"""The failover DNS updater against moto: an Aurora global database in two Regions and a Route 53
private hosted zone. moto has no FailoverGlobalCluster/SwitchoverGlobalCluster, so a failover is
simulated by moving ``IsWriter`` in moto's global cluster, which is what DescribeGlobalClusters
then reports, exactly as after a real one."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.events.models import EventPattern
from moto.rds.models import rds_backends

from lambdas.failover_dns import events
from lambdas.failover_dns import handler as failover

GLOBAL_ID = "leasing-global"
RECORD = "writer.leasing.internal"


class Aurora:
    def __init__(self):
        self.rds = {r: boto3.client("rds", region_name=r) for r in ("us-east-1", "us-west-2")}
        self.route53 = boto3.client("route53")
        vpc = "vpc-0a1b2c3d4e5f60718"  # moto does not look the VPC up; creating one costs ~0.5 s a test
        zone = self.route53.create_hosted_zone(
            Name="leasing.internal",
            CallerReference=str(uuid.uuid4()),
            HostedZoneConfig={"PrivateZone": True, "Comment": "leasing"},
            VPC={"VPCRegion": "us-east-1", "VPCId": vpc},
        )["HostedZone"]
        self.zone_id = zone["Id"].split("/")[-1]
        self.rds["us-east-1"].create_global_cluster(
            GlobalClusterIdentifier=GLOBAL_ID, Engine="aurora-postgresql", EngineVersion="16.4", StorageEncrypted=True
        )
        self.east = self.cluster("us-east-1", "leasing-use1", instances=1)
        self.west = self.cluster("us-west-2", "leasing-usw2", instances=1)
        self.endpoint = {
            arn: self.rds[arn.split(":")[3]].describe_db_clusters(DBClusterIdentifier=arn.split(":")[6])["DBClusters"][
                0
            ]["Endpoint"]
            for arn in (self.east, self.west)
        }

    def cluster(self, region: str, name: str, instances: int) -> str:
        rds = self.rds[region]
        arn = rds.create_db_cluster(
            DBClusterIdentifier=name,
            Engine="aurora-postgresql",
            EngineVersion="16.4",
            GlobalClusterIdentifier=GLOBAL_ID,
            MasterUsername="leasing_admin",
            MasterUserPassword="not-used-123",
            StorageEncrypted=True,
            ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 8},
        )["DBCluster"]["DBClusterArn"]
        for n in range(instances):
            rds.create_db_instance(
                DBInstanceIdentifier=f"{name}-{n + 1}",
                DBClusterIdentifier=name,
                Engine="aurora-postgresql",
                DBInstanceClass="db.serverless",
            )
        return arn

    def fail_over_to(self, cluster_arn: str) -> None:
        members = rds_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].global_clusters[GLOBAL_ID].members
        assert cluster_arn in [m.db_cluster_arn for m in members]
        for member in members:
            member.is_writer = member.db_cluster_arn == cluster_arn

    def record(self) -> dict | None:
        found = self.route53.list_resource_record_sets(HostedZoneId=self.zone_id)["ResourceRecordSets"]
        return next((r for r in found if r["Name"] == RECORD + "." and r["Type"] == "CNAME"), None)


@pytest.fixture
def aurora(aws_env, monkeypatch):
    with mock_aws():
        world = Aurora()
        monkeypatch.setenv("GLOBAL_CLUSTER_ID", GLOBAL_ID)
        monkeypatch.setenv("HOSTED_ZONE_ID", world.zone_id)
        monkeypatch.setenv("RECORD_NAME", RECORD)
        monkeypatch.setenv("RECORD_TTL", "5")
        monkeypatch.setenv("CLUSTER_ARNS", f"{world.east},{world.west}")
        monkeypatch.setattr(failover, "_clients", {})
        yield world


@pytest.fixture
def route53_changes(aurora):
    """Counts ChangeResourceRecordSets calls the function makes."""
    calls = []
    failover.client("route53").meta.events.register(
        "provide-client-params.route53.ChangeResourceRecordSets", lambda params, **_: calls.append(params)
    )
    return calls


def rds_event(cluster_arn: str, event_id: str, message: str = "") -> dict:
    """An "RDS DB Cluster Event" as EventBridge delivers it."""
    region, name = cluster_arn.split(":")[3], cluster_arn.split(":")[6]
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "RDS DB Cluster Event",
        "source": "aws.rds",
        "account": DEFAULT_ACCOUNT_ID,
        "time": now,
        "region": region,
        "resources": [cluster_arn],
        "detail": {
            "EventCategories": ["global-failover"],
            "SourceType": "CLUSTER",
            "SourceArn": cluster_arn,
            "Date": now,
            "SourceIdentifier": name,
            "EventID": event_id,
            "Message": message or f"Global switchover to DB cluster {name} in Region {region} finished.",
        },
    }


def test_switchover_points_the_writer_record_at_the_new_primary(aurora, lambda_context):
    aurora.fail_over_to(aurora.west)
    result = failover.handler(rds_event(aurora.west, events.SWITCHOVER_FINISHED), lambda_context)
    assert result["status"] == "updated" and result["writer_cluster_arn"] == aurora.west
    record = aurora.record()
    assert record["ResourceRecords"] == [{"Value": aurora.endpoint[aurora.west]}]
    assert record["TTL"] == 5
    assert ".us-west-2." in record["ResourceRecords"][0]["Value"]


def test_running_twice_changes_the_record_once(aurora, route53_changes, lambda_context):
    aurora.fail_over_to(aurora.west)
    event = rds_event(aurora.west, events.FAILOVER_COMPLETED)
    first = failover.handler(event, lambda_context)
    second = failover.handler(event, lambda_context)
    assert (first["status"], second["status"]) == ("updated", "unchanged")
    assert len(route53_changes) == 1
    assert route53_changes[0]["ChangeBatch"]["Changes"][0]["Action"] == "UPSERT"
    assert aurora.record()["ResourceRecords"] == [{"Value": aurora.endpoint[aurora.west]}]


def test_failover_and_failback_follow_the_writer(aurora, lambda_context):
    aurora.fail_over_to(aurora.west)
    failover.handler(rds_event(aurora.west, events.FAILOVER_COMPLETED), lambda_context)
    aurora.fail_over_to(aurora.east)  # switch back once us-east-1 is healthy
    result = failover.handler(rds_event(aurora.east, events.SWITCHOVER_FINISHED), lambda_context)
    assert result["status"] == "updated" and result["previous"] == aurora.endpoint[aurora.west]
    assert aurora.record()["ResourceRecords"] == [{"Value": aurora.endpoint[aurora.east]}]


def test_a_late_event_cannot_point_the_record_at_the_old_primary(aurora, lambda_context):
    aurora.fail_over_to(aurora.west)
    failover.handler(rds_event(aurora.west, events.FAILOVER_COMPLETED), lambda_context)
    # An older event naming us-east-1 arrives afterwards: the topology, not the event, decides.
    result = failover.handler(rds_event(aurora.east, events.SWITCHOVER_FINISHED), lambda_context)
    assert result["status"] == "unchanged"
    assert aurora.record()["ResourceRecords"] == [{"Value": aurora.endpoint[aurora.west]}]


def test_a_stale_ttl_or_value_is_corrected(aurora, lambda_context):
    aurora.route53.change_resource_record_sets(
        HostedZoneId=aurora.zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": RECORD,
                        "Type": "CNAME",
                        "TTL": 300,
                        "ResourceRecords": [{"Value": aurora.endpoint[aurora.east]}],
                    },
                }
            ]
        },
    )
    result = failover.handler(rds_event(aurora.east, events.SWITCHOVER_FINISHED), lambda_context)
    assert result["status"] == "updated"
    assert aurora.record()["TTL"] == 5


def test_a_writer_outside_the_allowed_clusters_is_refused(aurora, lambda_context):
    failover.handler({"action": "reconcile"}, lambda_context)
    unlisted = aurora.cluster("us-west-2", "leasing-usw2-unlisted", instances=1)
    aurora.fail_over_to(unlisted)
    with pytest.raises(failover.ConfigurationError, match="not one of CLUSTER_ARNS"):
        failover.handler(rds_event(aurora.east, events.FAILOVER_COMPLETED), lambda_context)
    assert aurora.record()["ResourceRecords"] == [{"Value": aurora.endpoint[aurora.east]}]


def test_no_writer_instance_raises_so_the_invocation_is_retried(aurora, monkeypatch, lambda_context):
    failover.handler({"action": "reconcile"}, lambda_context)
    headless = aurora.cluster("us-west-2", "leasing-usw2-headless", instances=0)
    monkeypatch.setenv("CLUSTER_ARNS", f"{aurora.east},{aurora.west},{headless}")
    aurora.fail_over_to(headless)
    event = rds_event(headless, events.FAILOVER_COMPLETED_WITHOUT_INSTANCES, "failover completed; no instances")
    with pytest.raises(failover.WriterNotReady, match="no writer instance"):
        failover.handler(event, lambda_context)
    assert aurora.record()["ResourceRecords"] == [{"Value": aurora.endpoint[aurora.east]}]


@pytest.mark.parametrize(
    "change",
    [
        {"detail": {"EventID": "RDS-EVENT-0181"}},  # switchover started: the writer has not moved yet
        {"source": "aws.ec2"},
        {"detail-type": "RDS DB Instance Event"},
    ],
)
def test_other_events_are_ignored(aurora, route53_changes, lambda_context, change):
    event = rds_event(aurora.west, events.SWITCHOVER_FINISHED)
    for key, value in change.items():
        event[key] = {**event[key], **value} if isinstance(value, dict) else value
    assert failover.handler(event, lambda_context) == {"status": "ignored"}
    assert route53_changes == [] and aurora.record() is None


def test_events_of_clusters_outside_the_global_database_are_ignored(aurora, route53_changes, lambda_context):
    stranger = f"arn:aws:rds:us-west-2:{DEFAULT_ACCOUNT_ID}:cluster:someone-elses"
    assert failover.handler(rds_event(stranger, events.FAILOVER_COMPLETED), lambda_context) == {"status": "ignored"}
    assert route53_changes == []


def test_operator_reconcile_after_detach_and_promote(aurora, lambda_context):
    failover.handler({"action": "reconcile"}, lambda_context)
    aurora.rds["us-west-2"].remove_from_global_cluster(
        GlobalClusterIdentifier=GLOBAL_ID, DbClusterIdentifier=aurora.west
    )
    result = failover.handler({"action": "reconcile", "writer_cluster_arn": aurora.west}, lambda_context)
    assert result["status"] == "updated"
    assert aurora.record()["ResourceRecords"] == [{"Value": aurora.endpoint[aurora.west]}]
    with pytest.raises(failover.ConfigurationError, match="not one of the clusters"):
        failover.handler(
            {"action": "reconcile", "writer_cluster_arn": aurora.west.replace("usw2", "x")}, lambda_context
        )


def test_the_record_can_name_the_proxy_in_front_of_the_new_primary(aurora, monkeypatch, lambda_context):
    proxies = {
        aurora.east: "leasing-use1.proxy-c0ffee111111.us-east-1.rds.amazonaws.com",
        aurora.west: "leasing-usw2.proxy-c0ffee222222.us-west-2.rds.amazonaws.com",
    }
    monkeypatch.setenv("WRITER_TARGETS", json.dumps(proxies))
    aurora.fail_over_to(aurora.west)
    result = failover.handler(rds_event(aurora.west, events.FAILOVER_COMPLETED), lambda_context)
    assert result["target"] == proxies[aurora.west]
    assert aurora.record()["ResourceRecords"] == [{"Value": proxies[aurora.west]}]
    monkeypatch.setenv("WRITER_TARGETS", json.dumps({aurora.east: proxies[aurora.east]}))
    with pytest.raises(failover.ConfigurationError, match="no entry for the writer"):
        failover.handler(rds_event(aurora.west, events.FAILOVER_COMPLETED), lambda_context)


def test_missing_settings_are_all_reported(monkeypatch, lambda_context):
    for key in ("GLOBAL_CLUSTER_ID", "HOSTED_ZONE_ID", "RECORD_NAME"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("RECORD_TTL", "3600")
    monkeypatch.setenv("WRITER_TARGETS", "[1, 2]")
    with pytest.raises(failover.ConfigurationError) as error:
        failover.handler({"action": "reconcile"}, lambda_context)
    for expected in ("GLOBAL_CLUSTER_ID", "HOSTED_ZONE_ID", "RECORD_NAME", "RECORD_TTL", "WRITER_TARGETS"):
        assert expected in str(error.value)


@pytest.mark.parametrize(
    "event_id, matches",
    [
        (events.SWITCHOVER_FINISHED, True),
        (events.FAILOVER_COMPLETED, True),
        (events.FAILOVER_COMPLETED_WITHOUT_INSTANCES, True),
        ("RDS-EVENT-0181", False),
        ("RDS-EVENT-0239", False),
    ],
)
def test_the_rule_pattern_matches_exactly_the_writer_change_events(event_id, matches):
    east, west = (
        f"arn:aws:rds:{r}:{DEFAULT_ACCOUNT_ID}:cluster:leasing-{c}"
        for r, c in (("us-east-1", "use1"), ("us-west-2", "usw2"))
    )
    # moto's TestEventPattern is a stub, so use the matcher moto routes events with.
    pattern = EventPattern.load(json.dumps(events.event_pattern([east, west])))
    assert pattern.matches_event(rds_event(west, event_id)) is matches
    stranger = rds_event(west.replace("leasing-usw2", "other"), event_id)
    assert pattern.matches_event(stranger) is False
