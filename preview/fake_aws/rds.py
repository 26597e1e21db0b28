"""Amazon RDS and Aurora: global clusters, clusters, instances, parameter and subnet groups, RDS Proxy."""

from __future__ import annotations

from .registry import Ctx, availability_zones, aws_type


@aws_type("aws:rds/globalCluster:GlobalCluster", name="globalClusterIdentifier", max_name=63, global_=True)
def _rds_global(c: Ctx):
    ident = c.physical_name
    return ident, {
        "arn": f"arn:{c.partition}:rds::{c.account}:global-cluster:{ident}",
        "globalClusterResourceId": "cluster-" + c.hex(16),
        "endpoint": f"{ident}.global-{c.lower(10)}.global.rds.amazonaws.com",
        "globalClusterMembers": [],
    }


def _engine_port(engine: str) -> int:
    return 5432 if "postgres" in (engine or "") else 3306


@aws_type("aws:rds/cluster:Cluster", name="clusterIdentifier", max_name=63)
def _rds_cluster(c: Ctx):
    ident = c.physical_name.lower()
    host = f"{c.lower(12, 'host')}.{c.region}.rds.amazonaws.com"
    out = {
        "arn": c.arn("rds", f"cluster:{ident}"),
        "clusterIdentifier": ident,
        "endpoint": f"{ident}.cluster-{host}",
        "readerEndpoint": f"{ident}.cluster-ro-{host}",
        "clusterResourceId": "cluster-" + c.upper(26),
        "port": c.get("port", _engine_port(c.get("engine"))),
        "hostedZoneId": "Z" + c.upper(13, "rdszone"),
        "engineVersionActual": c.get("engineVersion", "16.4"),
        "availabilityZones": availability_zones(c.region)[0][:3],
    }
    if c.get("manageMasterUserPassword"):
        out["masterUserSecrets"] = [
            {
                "kmsKeyId": c.arn("kms", f"key/{c.uuid('mkey')}"),
                "secretArn": c.arn("secretsmanager", f"secret:rds!cluster-{c.uuid('msec')}-{c.alnum(6)}"),
                "secretStatus": "active",
            }
        ]
    return ident, out


@aws_type("aws:rds/clusterInstance:ClusterInstance", name="identifier", max_name=63)
def _rds_cluster_instance(c: Ctx):
    ident = c.physical_name.lower()
    return ident, {
        "arn": c.arn("rds", f"db:{ident}"),
        "identifier": ident,
        "endpoint": f"{ident}.{c.lower(12, 'host')}.{c.region}.rds.amazonaws.com",
        "port": _engine_port(c.get("engine")),
        "dbiResourceId": "db-" + c.upper(26),
        "writer": True,
        "availabilityZone": availability_zones(c.region)[0][0],
    }


@aws_type("aws:rds/instance:Instance", name="identifier", max_name=63)
def _rds_instance(c: Ctx):
    ident = c.physical_name.lower()
    address = f"{ident}.{c.lower(12, 'host')}.{c.region}.rds.amazonaws.com"
    port = c.get("port", _engine_port(c.get("engine")))
    return ident, {
        "arn": c.arn("rds", f"db:{ident}"),
        "identifier": ident,
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        "resourceId": "db-" + c.upper(26),
    }


@aws_type("aws:rds/subnetGroup:SubnetGroup", name="name", max_name=255)
def _rds_subnet_group(c: Ctx):
    name = c.physical_name.lower()
    return name, {
        "arn": c.arn("rds", f"subgrp:{name}"),
        "name": name,
        "vpcId": c.fake._vpc_of_subnets(c.get("subnetIds")),
    }


@aws_type("aws:rds/clusterParameterGroup:ClusterParameterGroup", name="name", max_name=255)
def _rds_cluster_pg(c: Ctx):
    name = c.physical_name.lower()
    return name, {"arn": c.arn("rds", f"cluster-pg:{name}"), "name": name}


@aws_type("aws:rds/parameterGroup:ParameterGroup", name="name", max_name=255)
def _rds_pg(c: Ctx):
    name = c.physical_name.lower()
    return name, {"arn": c.arn("rds", f"pg:{name}"), "name": name}


@aws_type("aws:rds/proxy:Proxy", name="name", max_name=63)
def _rds_proxy(c: Ctx):
    name = c.physical_name.lower()
    return name, {
        "arn": c.arn("rds", f"db-proxy:prx-{c.hex(17)}"),
        "name": name,
        "endpoint": f"{name}.proxy-{c.lower(12, 'host')}.{c.region}.rds.amazonaws.com",
    }


@aws_type("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup")
def _rds_proxy_tg(c: Ctx):
    return c.get("dbProxyName", c.name), {"name": "default", "arn": c.arn("rds", f"target-group:prx-tg-{c.hex(17)}")}


@aws_type("aws:rds/proxyTarget:ProxyTarget")
def _rds_proxy_target(c: Ctx):
    cluster = c.get("dbClusterIdentifier")
    kind, ident = ("TRACKED_CLUSTER", cluster) if cluster else ("RDS_INSTANCE", c.get("dbInstanceIdentifier"))
    return f"{c.get('dbProxyName')}/{c.get('targetGroupName')}/{kind}/{ident}", {
        "type": kind,
        "rdsResourceId": ident,
        "targetArn": c.arn("rds", f"cluster:{ident}"),
        "endpoint": f"{ident}.cluster-{c.lower(12, 'host')}.{c.region}.rds.amazonaws.com",
        "port": 5432,
        "trackedClusterId": cluster,
    }


@aws_type("aws:rds/proxyEndpoint:ProxyEndpoint", name="dbProxyEndpointName", max_name=63)
def _rds_proxy_endpoint(c: Ctx):
    name = c.physical_name.lower()
    return f"{c.get('dbProxyName')}/{name}", {
        "arn": c.arn("rds", f"db-proxy-endpoint:prx-endpoint-{c.hex(17)}"),
        "endpoint": f"{name}.endpoint.proxy-{c.lower(12, 'host')}.{c.region}.rds.amazonaws.com",
        "isDefault": False,
    }
