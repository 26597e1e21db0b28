"""LeasingPlatform wiring under the fake AWS: a two-Region (prod-like) and a one-Region (dev-like) run.

Each run registers a few hundred resources, so the two programs run once per module and the tests
read their records (plain data)."""

from __future__ import annotations

import json

import pytest

import stack_config
from components.leasing import EVENT_SOURCE, LeasingPlatform, LeasingPlatformArgs, SearchSite, migrations_digest
from components.providers import ArchitectureProviders
from lambdas.failover_dns import events as failover_events
from preview.harness import engine_config, mocked_pulumi

EAST, WEST = "us-east-1", "us-west-2"
DOMAIN, PUBLIC_ZONE = "leasing-api.example.com", "Z0123456789ABCDEFGHIJ"


def _settings(**values):
    return stack_config.parse(engine_config("blueprints", values), stack="test").settings


def _run(multi_region: bool, **overrides):
    settings = _settings(producerAccountId="111111111111")
    sites: list[SearchSite] = []

    def program():
        providers = ArchitectureProviders(settings, "leasing")
        args = dict(primary_provider=providers.primary, primary_region=EAST, partner_api_url="https://p.example.com/e",
                    search_builder=lambda site: sites.append(site) or [])
        if multi_region:
            args.update(secondary_provider=providers.secondary, secondary_region=WEST, instances_per_cluster=2,
                        min_capacity=2, max_capacity=16, backup_retention_days=14, protect_data=True,
                        api_provisioned_concurrency=2, api_domain_name=DOMAIN, api_hosted_zone_id=PUBLIC_ZONE)
        args.update(overrides)
        return LeasingPlatform("leasing", LeasingPlatformArgs(**args))

    with mocked_pulumi("blueprints", "test", config={"aws:region": EAST}) as env:
        result = env.run(program)
    return result, sites


@pytest.fixture(scope="module")
def prod():
    return _run(multi_region=True)


@pytest.fixture(scope="module")
def dev():
    return _run(multi_region=False)


def of(result, token, region=None):
    records = [r for r in result[0].of_type(token)]
    return [r for r in records if region is None or r.region == region]


def one(result, token, name):
    return result[0].named(name, token)


def policy(record) -> dict:
    value = record.inputs["policy"]
    return json.loads(value) if isinstance(value, str) else value


def statements(result, function_name: str) -> list[dict]:
    return policy(one(result, "aws:iam/rolePolicy:RolePolicy", f"{function_name}-policy"))["Statement"]


def test_global_cluster_has_one_encrypted_iam_auth_serverless_cluster_per_region(prod):
    (global_cluster,) = of(prod, "aws:rds/globalCluster:GlobalCluster")
    assert global_cluster.inputs["engine"] == "aurora-postgresql" and global_cluster.inputs["storageEncrypted"]
    clusters = {c.region: c for c in of(prod, "aws:rds/cluster:Cluster")}
    assert set(clusters) == {EAST, WEST}
    keys = {k.region: k for k in of(prod, "aws:kms/key:Key")}
    for region, cluster in clusters.items():
        inputs = cluster.inputs
        assert inputs["globalClusterIdentifier"] == global_cluster.id
        assert inputs["engineMode"] == "provisioned" and inputs["engine"] == "aurora-postgresql"
        assert inputs["serverlessv2ScalingConfiguration"] == {"minCapacity": 2, "maxCapacity": 16}
        assert inputs["storageEncrypted"] and inputs["kmsKeyId"] == keys[region].outputs["arn"]
        assert inputs["iamDatabaseAuthenticationEnabled"]
        assert inputs["deletionProtection"] and not inputs["skipFinalSnapshot"]
        assert inputs["finalSnapshotIdentifier"].endswith(f"{region}-final")
        assert inputs["backupRetentionPeriod"] == 14
        assert cluster.options.get("protect")
    primary, secondary = clusters[EAST].inputs, clusters[WEST].inputs
    assert primary["masterUsername"] == "leasing_admin" and "masterPassword" in primary
    assert "masterUsername" not in secondary and "masterPassword" not in secondary
    assert "masterPassword" in clusters[EAST].options["ignoreChanges"]
    assert "replicationSourceIdentifier" in clusters[WEST].options["ignoreChanges"]
    # The secondary joins only once the primary has its instances.
    primary_instances = {i.urn for i in of(prod, "aws:rds/clusterInstance:ClusterInstance", EAST)}
    assert primary_instances <= set(clusters[WEST].dependencies)


def test_instances_are_private_serverless_and_counted_per_cluster(prod, dev):
    for result, per_region in ((prod, 2), (dev, 1)):
        instances = of(result, "aws:rds/clusterInstance:ClusterInstance")
        assert all(i.inputs["instanceClass"] == "db.serverless" for i in instances)
        assert all(i.inputs["publiclyAccessible"] is False for i in instances)
        regions = [i.region for i in instances]
        assert all(regions.count(r) == per_region for r in set(regions))


def test_master_secret_is_replicated_and_read_only_by_the_proxies(prod):
    (secret,) = of(prod, "aws:secretsmanager/secret:Secret")
    assert [r["region"] for r in secret.inputs["replicas"]] == [WEST]
    proxies = {p.region: p for p in of(prod, "aws:rds/proxy:Proxy")}
    assert set(proxies) == {EAST, WEST}
    secret_arn = secret.outputs["arn"]
    for region, proxy in proxies.items():
        inputs = proxy.inputs
        assert inputs["requireTls"] is True and inputs["engineFamily"] == "POSTGRESQL"
        (auth,) = inputs["auths"]
        assert auth["iamAuth"] == "REQUIRED" and auth["authScheme"] == "SECRETS"
        assert auth["secretArn"] == secret_arn.replace(f":{EAST}:", f":{region}:")
        role_policy = policy(one(prod, "aws:iam/rolePolicy:RolePolicy", f"leasing-{region}-proxy-policy"))
        assert role_policy["Statement"] == [{"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                                             "Resource": [auth["secretArn"]]}]
        subnets = {s.id for s in of(prod, "aws:ec2/subnet:Subnet", region) if "private" in s.name}
        assert set(inputs["vpcSubnetIds"]) == subnets and len(subnets) == 2
    targets = {t.region: t.inputs for t in of(prod, "aws:rds/proxyTarget:ProxyTarget")}
    clusters = {c.region: c for c in of(prod, "aws:rds/cluster:Cluster")}
    assert all(targets[r]["dbClusterIdentifier"] == clusters[r].outputs["clusterIdentifier"] for r in targets)


def test_only_the_proxy_reaches_the_database_and_only_functions_reach_the_proxy(prod):
    groups = {g.name: g for g in of(prod, "aws:ec2/securityGroup:SecurityGroup")}
    ingress = of(prod, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    egress = of(prod, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    for region, peer_cidr in ((EAST, "10.61.0.0/16"), (WEST, "10.60.0.0/16")):
        database, proxy, functions = (groups[f"leasing-{region}-{n}"].id for n in ("database", "proxy", "functions"))
        into_database = [r.inputs for r in ingress if r.inputs["securityGroupId"] == database]
        assert into_database == [{**into_database[0], "referencedSecurityGroupId": proxy}]
        assert (into_database[0]["fromPort"], into_database[0]["toPort"]) == (5432, 5432)
        into_proxy = [r.inputs for r in ingress if r.inputs["securityGroupId"] == proxy]
        sources = {r.get("referencedSecurityGroupId") or r.get("cidrIpv4") for r in into_proxy}
        assert sources == {functions, peer_cidr} and all(r["fromPort"] == 5432 for r in into_proxy)
        out_of_functions = {(r.inputs["toPort"], r.inputs.get("referencedSecurityGroupId") or r.inputs.get("cidrIpv4"))
                            for r in egress if r.inputs["securityGroupId"] == functions}
        assert out_of_functions == {(5432, proxy), (443, "10.60.0.0/16" if region == EAST else "10.61.0.0/16"),
                                    (5432, peer_cidr)}
        assert all(r.inputs.get("cidrIpv4") != "0.0.0.0/0" for r in egress + ingress)


def test_clusters_use_private_subnets_and_the_database_group(prod):
    for cluster in of(prod, "aws:rds/cluster:Cluster"):
        group = one(prod, "aws:rds/subnetGroup:SubnetGroup", f"leasing-{cluster.region}-db-subnets")
        private = {s.id for s in of(prod, "aws:ec2/subnet:Subnet", cluster.region) if "private" in s.name}
        assert set(group.inputs["subnetIds"]) == private
        assert cluster.inputs["dbSubnetGroupName"] == group.outputs["name"]
        database_sg = one(prod, "aws:ec2/securityGroup:SecurityGroup", f"leasing-{cluster.region}-database")
        assert cluster.inputs["vpcSecurityGroupIds"] == [database_sg.id]


def test_no_nat_and_only_the_eventbridge_endpoint(prod):
    assert not of(prod, "aws:ec2/natGateway:NatGateway") and not of(prod, "aws:ec2/internetGateway:InternetGateway")
    endpoints = sorted((e.region, e.inputs["serviceName"]) for e in of(prod, "aws:ec2/vpcEndpoint:VpcEndpoint"))
    assert endpoints == [(EAST, "com.amazonaws.us-east-1.events"), (WEST, "com.amazonaws.us-west-2.events")]


def test_vpcs_are_peered_and_routed_both_ways(prod):
    (peering,) = of(prod, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection")
    assert peering.region == EAST and peering.inputs["peerRegion"] == WEST
    (accepter,) = of(prod, "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter")
    assert accepter.region == WEST and accepter.inputs["vpcPeeringConnectionId"] == peering.id
    routes = {(r.region, r.inputs["destinationCidrBlock"]) for r in of(prod, "aws:ec2/route:Route")
              if r.inputs.get("vpcPeeringConnectionId") == peering.id}
    assert routes == {(EAST, "10.61.0.0/16"), (WEST, "10.60.0.0/16")}


def test_writer_record_lives_in_a_private_zone_of_both_vpcs_and_is_owned_by_failover(prod):
    (zone,) = of(prod, "aws:route53/zone:Zone")
    vpcs = {v.region: v.id for v in of(prod, "aws:ec2/vpc:Vpc")}
    assert sorted((v["vpcRegion"], v["vpcId"]) for v in zone.inputs["vpcs"]) == sorted(vpcs.items())
    writer = one(prod, "aws:route53/record:Record", "leasing-writer")
    primary_proxy = next(p for p in of(prod, "aws:rds/proxy:Proxy") if p.region == EAST)
    assert writer.inputs["type"] == "CNAME" and writer.inputs["ttl"] == 5
    assert writer.inputs["records"] == [primary_proxy.outputs["endpoint"]]
    assert writer.inputs["zoneId"] == zone.outputs["zoneId"]
    assert writer.options["ignoreChanges"] == ["records"]


def test_failover_rule_in_each_region_invokes_the_updater_with_a_dlq(prod):
    clusters = sorted(c.outputs["arn"] for c in of(prod, "aws:rds/cluster:Cluster"))
    rules = [r for r in of(prod, "aws:cloudwatch/eventRule:EventRule") if r.name.endswith("failover-rule")]
    assert sorted(r.region for r in rules) == [EAST, WEST]
    for rule in rules:
        pattern = json.loads(rule.inputs["eventPattern"])
        assert pattern["source"] == ["aws.rds"] and pattern["detail-type"] == ["RDS DB Cluster Event"]
        assert pattern["detail"]["EventID"] == ["RDS-EVENT-0185", "RDS-EVENT-0238", "RDS-EVENT-0519"]
        assert sorted(pattern["resources"]) == clusters
        assert "eventBusName" not in rule.inputs  # aws.rds events arrive on the default bus
        target = one(prod, "aws:cloudwatch/eventTarget:EventTarget", f"leasing-{rule.region}-failover-target")
        function = one(prod, "aws:lambda/function:Function", f"leasing-{rule.region}-failover-dns")
        dlq = one(prod, "aws:sqs/queue:Queue", f"leasing-{rule.region}-failover-dlq")
        assert target.inputs["arn"] == function.outputs["arn"]
        assert target.inputs["deadLetterConfig"]["arn"] == dlq.outputs["arn"]
        assert function.inputs["deadLetterConfig"]["targetArn"] == dlq.outputs["arn"]
        permission = one(prod, "aws:lambda/permission:Permission", f"leasing-{rule.region}-failover-invoke")
        assert permission.inputs["sourceArn"] == rule.outputs["arn"]
        env = function.inputs["environment"]["variables"]
        assert env["RECORD_NAME"] == "writer.leasing.internal" and env["RECORD_TTL"] == "5"
        proxies = {p.region: p.outputs["endpoint"] for p in of(prod, "aws:rds/proxy:Proxy")}
        by_cluster = {c.outputs["arn"]: proxies[c.region] for c in of(prod, "aws:rds/cluster:Cluster")}
        assert json.loads(env["WRITER_TARGETS"]) == by_cluster
        assert "vpcConfig" not in function.inputs  # it only calls RDS and Route 53 APIs
    assert pattern["detail"]["EventID"] == list(failover_events.WRITER_CHANGED_EVENT_IDS)


def test_failover_updater_may_only_upsert_the_writer_cname(prod):
    (zone,) = of(prod, "aws:route53/zone:Zone")
    change = next(s for s in statements(prod, "leasing-us-west-2-failover-dns")
                  if s["Action"] == ["route53:ChangeResourceRecordSets"])
    assert change["Resource"] == [zone.outputs["arn"]]
    assert change["Condition"]["ForAllValues:StringEquals"] == {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["writer.leasing.internal"],
        "route53:ChangeResourceRecordSetsRecordTypes": ["CNAME"],
        "route53:ChangeResourceRecordSetsActions": ["UPSERT"]}
    (global_cluster,) = of(prod, "aws:rds/globalCluster:GlobalCluster")
    describe = next(s for s in statements(prod, "leasing-us-west-2-failover-dns")
                    if s["Action"] == ["rds:DescribeGlobalClusters"])
    assert describe["Resource"] == [global_cluster.outputs["arn"]]


def test_functions_connect_through_the_writer_alias_with_iam_for_both_proxies(prod):
    proxies = {p.region: p.outputs["arn"].split(":")[-1] for p in of(prod, "aws:rds/proxy:Proxy")}
    expected = sorted(f"arn:aws:rds-db:{r}:111111111111:dbuser:{p}/leasing_admin" for r, p in proxies.items())
    for region in (EAST, WEST):
        for key in ("lease-api", "outbox-relay"):
            function = one(prod, "aws:lambda/function:Function", f"leasing-{region}-{key}")
            env = function.inputs["environment"]["variables"]
            assert (env["DB_HOST"], env["DB_HOST_IS_ALIAS"], env["DB_AUTH"], env["DB_SSLMODE"]) == (
                "writer.leasing.internal", "true", "iam", "verify-full")
            connect = next(s for s in statements(prod, f"leasing-{region}-{key}") if s["Action"] == ["rds-db:connect"])
            assert sorted(connect["Resource"]) == expected
            functions_sg = one(prod, "aws:ec2/securityGroup:SecurityGroup", f"leasing-{region}-functions")
            assert function.inputs["vpcConfig"]["securityGroupIds"] == [functions_sg.id]
            private = {s.id for s in of(prod, "aws:ec2/subnet:Subnet", region) if "private" in s.name}
            assert set(function.inputs["vpcConfig"]["subnetIds"]) == private


def test_lease_api_alias_has_provisioned_concurrency_and_iam_auth(prod, dev):
    for region in (EAST, WEST):
        function = one(prod, "aws:lambda/function:Function", f"leasing-{region}-lease-api")
        assert function.inputs["publish"] is True and function.inputs["reservedConcurrentExecutions"] == 50
        alias = one(prod, "aws:lambda/alias:Alias", f"leasing-{region}-lease-api-live")
        warm = one(prod, "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
                   f"leasing-{region}-lease-api-warm")
        assert warm.inputs["provisionedConcurrentExecutions"] == 2 and warm.inputs["qualifier"] == alias.outputs["name"]
        method = one(prod, "aws:apigateway/method:Method", f"leasing-{region}-api-any")
        assert method.inputs["authorization"] == "AWS_IAM"
        integration = one(prod, "aws:apigateway/integration:Integration", f"leasing-{region}-api-lambda")
        assert integration.inputs["type"] == "AWS_PROXY" and integration.inputs["uri"] == alias.outputs["invokeArn"]
        permission = one(prod, "aws:lambda/permission:Permission", f"leasing-{region}-api-invoke")
        assert permission.inputs["qualifier"] == alias.outputs["name"]
        assert permission.inputs["sourceArn"].startswith(f"arn:aws:execute-api:{region}:")
    assert not of(dev, "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")


def test_custom_domain_with_latency_records_and_health_checks(prod, dev):
    records = [r for r in of(prod, "aws:route53/record:Record") if r.inputs.get("setIdentifier")]
    assert sorted(r.inputs["setIdentifier"] for r in records) == [EAST, WEST]
    domains = {d.region: d for d in of(prod, "aws:apigateway/domainName:DomainName")}
    checks = {c.name: c for c in of(prod, "aws:route53/healthCheck:HealthCheck")}
    for record in records:
        region = record.inputs["setIdentifier"]
        assert record.inputs["zoneId"] == PUBLIC_ZONE and record.inputs["name"] == DOMAIN
        assert record.inputs["latencyRoutingPolicies"] == [{"region": region}]
        (alias,) = record.inputs["aliases"]
        assert alias["name"] == domains[region].outputs["regionalDomainName"] and alias["evaluateTargetHealth"]
        check = checks[f"leasing-{region}-api-health"]
        assert record.inputs["healthCheckId"] == check.id
        alarm = one(prod, "aws:cloudwatch/metricAlarm:MetricAlarm", f"leasing-{region}-api-5xx-alarm")
        assert check.inputs["cloudwatchAlarmName"] == alarm.outputs.get("name", alarm.id)
        assert domains[region].inputs["securityPolicy"] == "TLS_1_2"
    validations = [r for r in of(prod, "aws:route53/record:Record") if r.name.endswith("certificate-validation")]
    assert len(validations) == 1  # one validation record serves the certificate in each Region
    assert not of(dev, "aws:apigateway/domainName:DomainName")


def test_lease_bus_rules_each_have_a_target_with_retries_and_a_dead_letter_queue(prod):
    for region in (EAST, WEST):
        bus = one(prod, "aws:cloudwatch/eventBus:EventBus", f"leasing-{region}-bus")
        for purpose in ("metrics", "notifications", "partner"):
            rule = one(prod, "aws:cloudwatch/eventRule:EventRule", f"leasing-{region}-{purpose}-rule")
            assert rule.inputs["eventBusName"] == bus.outputs["name"]
            assert json.loads(rule.inputs["eventPattern"])["source"] == [EVENT_SOURCE]
            target = one(prod, "aws:cloudwatch/eventTarget:EventTarget", f"leasing-{region}-{purpose}-target")
            dlq = one(prod, "aws:sqs/queue:Queue", f"leasing-{region}-{purpose}-dlq")
            assert target.inputs["deadLetterConfig"]["arn"] == dlq.outputs["arn"]
            assert target.inputs["retryPolicy"]["maximumRetryAttempts"] > 0
            assert dlq.inputs["sqsManagedSseEnabled"] is True
            queue_policy = policy(one(prod, "aws:sqs/queuePolicy:QueuePolicy", f"leasing-{region}-{purpose}-dlq-policy"))
            assert queue_policy["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"] == [rule.outputs["arn"]]
            alarm = one(prod, "aws:cloudwatch/metricAlarm:MetricAlarm", f"leasing-{region}-{purpose}-dlq-alarm")
            assert alarm.inputs["dimensions"] == {"QueueName": dlq.outputs["name"]}
        topic = one(prod, "aws:sns/topic:Topic", f"leasing-{region}-lease-topic")
        key = one(prod, "aws:kms/key:Key", f"leasing-{region}-key")
        assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]
        notifications = one(prod, "aws:cloudwatch/eventTarget:EventTarget", f"leasing-{region}-notifications-target")
        assert notifications.inputs["arn"] == topic.outputs["arn"]
        partner = one(prod, "aws:cloudwatch/eventTarget:EventTarget", f"leasing-{region}-partner-target")
        destination = one(prod, "aws:cloudwatch/eventApiDestination:EventApiDestination",
                          f"leasing-{region}-partner-destination")
        assert partner.inputs["arn"] == destination.outputs["arn"] and partner.inputs["inputPath"] == "$.detail"
        connection = one(prod, "aws:cloudwatch/eventConnection:EventConnection", f"leasing-{region}-partner-connection")
        assert connection.inputs["authorizationType"] == "API_KEY"
        assert destination.inputs["connectionArn"] == connection.outputs["arn"]
        assert connection.options["ignoreChanges"] == ["authParameters"]  # no key in config: set out of band


def test_outbox_relay_runs_on_a_schedule_and_may_only_put_to_its_bus(prod):
    for region in (EAST, WEST):
        bus = one(prod, "aws:cloudwatch/eventBus:EventBus", f"leasing-{region}-bus")
        relay = one(prod, "aws:lambda/function:Function", f"leasing-{region}-outbox-relay")
        env = relay.inputs["environment"]["variables"]
        assert env["EVENT_BUS_NAME"] == bus.outputs["name"] and env["EVENT_SOURCE"] == EVENT_SOURCE
        put = next(s for s in statements(prod, f"leasing-{region}-outbox-relay") if s["Action"] == ["events:PutEvents"])
        assert put["Resource"] == [bus.outputs["arn"]]
        schedule = one(prod, "aws:cloudwatch/eventRule:EventRule", f"leasing-{region}-outbox-schedule")
        assert schedule.inputs["scheduleExpression"] == "rate(1 minute)"
        target = one(prod, "aws:cloudwatch/eventTarget:EventTarget", f"leasing-{region}-outbox-schedule-target")
        assert target.inputs["arn"] == relay.outputs["arn"]


def test_migrations_run_once_per_change_of_the_sql_after_the_database_is_reachable(prod):
    (invocation,) = of(prod, "aws:lambda/invocation:Invocation")
    assert invocation.region == EAST
    assert invocation.inputs["triggers"] == {"migrations_sha256": migrations_digest()}
    function = one(prod, "aws:lambda/function:Function", "leasing-us-east-1-db-migrations")
    assert invocation.inputs["functionName"] == function.outputs["name"]
    needed = {one(prod, "aws:rds/proxyTarget:ProxyTarget", "leasing-us-east-1-proxy-cluster").urn,
              one(prod, "aws:route53/record:Record", "leasing-writer").urn}
    assert needed <= set(invocation.dependencies)


def test_dev_is_one_region_without_data_protection(dev):
    regions = {r.region for r in dev[0].resources if r.region}
    assert regions == {EAST}
    (cluster,) = of(dev, "aws:rds/cluster:Cluster")
    assert cluster.inputs["serverlessv2ScalingConfiguration"] == {"minCapacity": 0.5, "maxCapacity": 4}
    assert not cluster.inputs["deletionProtection"] and cluster.inputs["skipFinalSnapshot"]
    assert not of(dev, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection")
    assert len(of(dev, "aws:rds/proxy:Proxy")) == 1


def test_search_side_is_offered_each_region_with_its_network_and_api(prod):
    sites = prod[1]
    assert [s.region for s in sites] == [EAST, WEST]
    assert [s.vpc_cidr_block for s in sites] == ["10.60.0.0/16", "10.61.0.0/16"]
    assert all(s.protect for s in sites)


def test_every_function_has_a_bounded_log_group(prod):
    groups = of(prod, "aws:cloudwatch/logGroup:LogGroup")
    assert groups and all(g.inputs["retentionInDays"] == 30 for g in groups)
    proxy_logs = [g for g in groups if g.name.endswith("proxy-logs")]
    proxies = {p.region: p.inputs["name"] for p in of(prod, "aws:rds/proxy:Proxy")}
    assert sorted(g.inputs["name"] for g in proxy_logs) == sorted(f"/aws/rds/proxy/{n}" for n in proxies.values())


@pytest.mark.parametrize("overrides, message", [
    (dict(min_capacity=0), "capacity must satisfy"),
    (dict(api_provisioned_concurrency=80, api_reserved_concurrency=50), "cannot exceed"),
    (dict(api_domain_name="x.example.com"), "go together"),
    (dict(partner_api_url="http://partner.example.com"), "must be https"),
    (dict(secondary_region="us-west-2"), "secondary_provider and secondary_region"),
    (dict(log_retention_days=10), "log_retention_days must be one of"),
])
def test_args_are_validated(overrides, message):
    provider = object()
    with pytest.raises(ValueError, match=message):
        LeasingPlatformArgs(primary_provider=provider, primary_region=EAST, **overrides)


def test_the_real_search_side_is_composed_in_each_region_and_routed_through_the_api():
    from components import leasing_search

    search_values = stack_config.parse(engine_config("blueprints", {}), stack="test").leasing.search.component_values()
    result, _ = _run(multi_region=True, search_builder=leasing_search.site_builder(search_values))
    domains = {d.region for d in of((result, []), "aws:opensearch/domain:Domain")}
    assert domains == {EAST, WEST}
    for region in (EAST, WEST):
        api = one((result, []), "aws:apigateway/restApi:RestApi", f"leasing-{region}-api")
        deployment = one((result, []), "aws:apigateway/deployment:Deployment", f"leasing-{region}-api-deployment")
        search_methods = [m for m in of((result, []), "aws:apigateway/method:Method", region)
                          if m.inputs["restApi"] == api.id and m.name != f"leasing-{region}-api-any"]
        assert search_methods and all(m.inputs["authorization"] == "AWS_IAM" for m in search_methods)
        assert {m.urn for m in search_methods} <= set(deployment.dependencies)
