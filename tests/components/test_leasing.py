"""LeasingPlatform wiring under the fake AWS: a two-Region (prod-like) and a one-Region (dev-like) run.

Each run registers a few hundred resources, so the two programs run once per module and the tests
read their records (plain data)."""

from __future__ import annotations

import json

import pytest

from components.lambda_function import CODE_ONLY
from components.leasing import EVENT_SOURCE, LeasingPlatform, LeasingPlatformArgs, SearchSite, migrations_digest
from components.providers import ArchitectureProviders
from config import parse
from contracts import aurora_failover as failover_events
from preview.harness import engine_config, mocked_pulumi

EAST, WEST = "us-east-1", "us-west-2"
DOMAIN, PUBLIC_ZONE = "leasing-api.example.com", "Z0123456789ABCDEFGHIJ"


def _settings(**values):
    return parse(engine_config("blueprints", values), stack="test").settings


def _run(multi_region: bool, **overrides):
    settings = _settings(producerAccountId="111111111111")
    sites: list[SearchSite] = []

    def program():
        providers = ArchitectureProviders(settings.providers, "leasing")
        args = dict(
            primary_provider=providers.primary,
            primary_region=EAST,
            partner_api_url="https://p.example.com/e",
            search_builder=lambda site: sites.append(site) or [],
            lambda_packaging=CODE_ONLY,
        )
        if multi_region:
            args.update(
                secondary_provider=providers.secondary,
                secondary_region=WEST,
                instances_per_cluster=2,
                min_capacity=2,
                max_capacity=16,
                backup_retention_days=14,
                protect_data=True,
                api_provisioned_concurrency=2,
                api_domain_name=DOMAIN,
                api_hosted_zone_id=PUBLIC_ZONE,
                master_secret_rotation_days=30,
            )
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
    """The lean one-Region shape of Pulumi.dev.yaml: no proxy, no global cluster, auto-pause, one-AZ endpoints."""
    return _run(
        multi_region=False, rds_proxy=False, global_database=False, min_capacity=0, endpoint_availability_zones=1
    )


@pytest.fixture(scope="module")
def prod_with_search():
    """prod with the real search side in each Region (components/leasing_search.py)."""
    from components import leasing_search

    search_values = parse(engine_config("blueprints", {}), stack="test").leasing.search.component_values()
    result, _ = _run(
        multi_region=True, search_builder=leasing_search.site_builder({**search_values, "lambda_packaging": CODE_ONLY})
    )
    return result, []


APP_USER, MASTER_USER = "leasing_app", "leasing_admin"


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
        # The application user end to end with IAM (no password); the master user through its secret.
        assert inputs["defaultAuthScheme"] == "IAM_AUTH"
        (auth,) = inputs["auths"]
        assert auth["iamAuth"] == "REQUIRED" and auth["authScheme"] == "SECRETS"
        assert auth["secretArn"] == secret_arn.replace(f":{EAST}:", f":{region}:")
        cluster = one(prod, "aws:rds/cluster:Cluster", f"leasing-{region}-cluster")
        role_policy = policy(one(prod, "aws:iam/rolePolicy:RolePolicy", f"leasing-{region}-proxy-policy"))
        app_user = f"arn:aws:rds-db:{region}:111111111111:dbuser:{cluster.outputs['clusterResourceId']}/{APP_USER}"
        assert role_policy["Statement"] == [
            {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": [auth["secretArn"]]},
            {"Effect": "Allow", "Action": ["rds-db:connect"], "Resource": [app_user]},
        ]
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
        # Aurora: from the proxy, and from the master secret rotation (its own group here, the primary's
        # VPC over the peering in the secondary: test_prod_rotates_the_master_secret_...).
        into_database = [
            r.inputs
            for r in ingress
            if r.inputs["securityGroupId"] == database and "rotation" not in r.inputs["description"]
        ]
        assert into_database == [{**into_database[0], "referencedSecurityGroupId": proxy}]
        assert (into_database[0]["fromPort"], into_database[0]["toPort"]) == (5432, 5432)
        into_proxy = [r.inputs for r in ingress if r.inputs["securityGroupId"] == proxy]
        sources = {r.get("referencedSecurityGroupId") or r.get("cidrIpv4") for r in into_proxy}
        assert sources == {functions, peer_cidr} and all(r["fromPort"] == 5432 for r in into_proxy)
        out_of_functions = {
            (r.inputs["toPort"], r.inputs.get("referencedSecurityGroupId") or r.inputs.get("cidrIpv4"))
            for r in egress
            if r.inputs["securityGroupId"] == functions
        }
        # HTTPS to this VPC's endpoints and, over the peering, the other Region's events endpoint.
        assert out_of_functions == {
            (5432, proxy),
            (443, "10.60.0.0/16" if region == EAST else "10.61.0.0/16"),
            (5432, peer_cidr),
            (443, peer_cidr),
        }
        assert all(r.inputs.get("cidrIpv4") != "0.0.0.0/0" for r in egress + ingress)


def test_clusters_use_private_subnets_and_the_database_group(prod):
    for cluster in of(prod, "aws:rds/cluster:Cluster"):
        group = one(prod, "aws:rds/subnetGroup:SubnetGroup", f"leasing-{cluster.region}-db-subnets")
        private = {s.id for s in of(prod, "aws:ec2/subnet:Subnet", cluster.region) if "private" in s.name}
        assert set(group.inputs["subnetIds"]) == private
        assert cluster.inputs["dbSubnetGroupName"] == group.outputs["name"]
        database_sg = one(prod, "aws:ec2/securityGroup:SecurityGroup", f"leasing-{cluster.region}-database")
        assert cluster.inputs["vpcSecurityGroupIds"] == [database_sg.id]


def test_no_nat_and_an_endpoint_for_every_api_the_vpc_functions_call(prod_with_search, dev):
    """The relay calls EventBridge, the search indexer SQS (its failure queue, issue 16: the old network
    had only the events endpoint), and without a proxy the migrations read the master secret."""
    # prod's primary also rotates the master secret (Secrets Manager there, where the secret lives).
    for result, expected in (
        (prod_with_search, {EAST: {"events", "sqs", "secretsmanager"}, WEST: {"events", "sqs"}}),
        (dev, {EAST: {"events", "sqs", "secretsmanager"}}),
    ):
        assert not of(result, "aws:ec2/natGateway:NatGateway")
        assert not of(result, "aws:ec2/internetGateway:InternetGateway")
        endpoints = of(result, "aws:ec2/vpcEndpoint:VpcEndpoint")
        assert {e.region for e in endpoints} == set(expected)
        for region, names in expected.items():
            services = {e.inputs["serviceName"] for e in endpoints if e.region == region}
            assert services == {f"com.amazonaws.{region}.{name}" for name in names}
        assert all(e.inputs["privateDnsEnabled"] for e in endpoints)
    indexer = one(prod_with_search, "aws:lambda/function:Function", "search-useast1-indexer")
    queue = one(prod_with_search, "aws:sqs/queue:Queue", "search-useast1-index-failures")
    assert indexer.inputs["environment"]["variables"]["FAILURE_QUEUE_URL"] == queue.outputs["url"]
    # The endpoints admit the search functions (HTTPS from the VPC's CIDR, which they are in).
    ingress = [
        r.inputs
        for r in of(prod_with_search, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", EAST)
        if r.name.startswith("leasing-us-east-1-net-endpoints-https")
    ]
    assert {r["cidrIpv4"] for r in ingress} == {"10.60.0.0/16", "10.61.0.0/16"}


def test_dev_endpoints_sit_in_one_az_prod_endpoints_in_every_az(prod, dev):
    for result, zones in ((prod, 2), (dev, 1)):
        for endpoint in of(result, "aws:ec2/vpcEndpoint:VpcEndpoint"):
            assert len(endpoint.inputs["subnetIds"]) == zones


def test_each_relay_reaches_the_other_regions_events_endpoint_over_the_peering(prod):
    """EventBridge has no cross-Region interface endpoint: a private zone named like the other Region's
    events API, in this VPC only, aliases that Region's endpoint."""
    endpoints = {
        e.region: e for e in of(prod, "aws:ec2/vpcEndpoint:VpcEndpoint") if e.inputs["serviceName"].endswith(".events")
    }
    vpcs = {v.region: v.id for v in of(prod, "aws:ec2/vpc:Vpc")}
    for here, there in ((EAST, WEST), (WEST, EAST)):
        zone = one(prod, "aws:route53/zone:Zone", f"leasing-{here}-events-{there}-zone")
        assert zone.inputs["name"] == f"events.{there}.amazonaws.com"  # Route 53 is global: only the VPC says where
        assert zone.inputs["vpcs"] == [{"vpcId": vpcs[here], "vpcRegion": here}]
        record = one(prod, "aws:route53/record:Record", f"leasing-{here}-events-{there}")
        (alias,) = record.inputs["aliases"]
        dns = endpoints[there].outputs["dnsEntries"][0]
        assert (record.inputs["type"], alias["name"], alias["zoneId"]) == ("A", dns["dnsName"], dns["hostedZoneId"])


def test_vpcs_are_peered_and_routed_both_ways(prod):
    (peering,) = of(prod, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection")
    assert peering.region == EAST and peering.inputs["peerRegion"] == WEST
    (accepter,) = of(prod, "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter")
    assert accepter.region == WEST and accepter.inputs["vpcPeeringConnectionId"] == peering.id
    routes = {
        (r.region, r.inputs["destinationCidrBlock"])
        for r in of(prod, "aws:ec2/route:Route")
        if r.inputs.get("vpcPeeringConnectionId") == peering.id
    }
    assert routes == {(EAST, "10.61.0.0/16"), (WEST, "10.60.0.0/16")}


def test_writer_record_lives_in_a_private_zone_of_both_vpcs_and_is_owned_by_failover(prod):
    zone = one(prod, "aws:route53/zone:Zone", "leasing-private-zone")
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
    zone = one(prod, "aws:route53/zone:Zone", "leasing-private-zone")
    change = next(
        s
        for s in statements(prod, "leasing-us-west-2-failover-dns")
        if s["Action"] == ["route53:ChangeResourceRecordSets"]
    )
    assert change["Resource"] == [zone.outputs["arn"]]
    assert change["Condition"]["ForAllValues:StringEquals"] == {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["writer.leasing.internal"],
        "route53:ChangeResourceRecordSetsRecordTypes": ["CNAME"],
        "route53:ChangeResourceRecordSetsActions": ["UPSERT"],
    }
    (global_cluster,) = of(prod, "aws:rds/globalCluster:GlobalCluster")
    describe = next(
        s for s in statements(prod, "leasing-us-west-2-failover-dns") if s["Action"] == ["rds:DescribeGlobalClusters"]
    )
    assert describe["Resource"] == [global_cluster.outputs["arn"]]


def test_functions_connect_as_the_application_user_with_iam_through_both_proxies(prod):
    """Issue 16: the lease API and the relay used the master user. The lease API follows the writer
    record; the relay connects to its own Region's proxy (it relays only where that is the writer)."""
    proxies = {p.region: p for p in of(prod, "aws:rds/proxy:Proxy")}
    app = sorted(
        f"arn:aws:rds-db:{r}:111111111111:dbuser:{p.outputs['arn'].split(':')[-1]}/{APP_USER}"
        for r, p in proxies.items()
    )
    for region in (EAST, WEST):
        for key, host, alias in (
            ("lease-api", "writer.leasing.internal", "true"),
            ("outbox-relay", proxies[region].outputs["endpoint"], "false"),
        ):
            function = one(prod, "aws:lambda/function:Function", f"leasing-{region}-{key}")
            env = function.inputs["environment"]["variables"]
            assert (env["DB_HOST"], env["DB_HOST_IS_ALIAS"], env["DB_AUTH"], env["DB_SSLMODE"], env["DB_USER"]) == (
                host,
                alias,
                "iam",
                "verify-full",
                APP_USER,
            )
            connect = [s for s in statements(prod, f"leasing-{region}-{key}") if s["Action"] == ["rds-db:connect"]]
            assert [sorted(s["Resource"]) for s in connect] == [app]
            functions_sg = one(prod, "aws:ec2/securityGroup:SecurityGroup", f"leasing-{region}-functions")
            assert function.inputs["vpcConfig"]["securityGroupIds"] == [functions_sg.id]
            private = {s.id for s in of(prod, "aws:ec2/subnet:Subnet", region) if "private" in s.name}
            assert set(function.inputs["vpcConfig"]["subnetIds"]) == private


def test_only_the_migrations_connect_as_the_master_user(prod, dev):
    master_grants = {}
    for result in (prod, dev):
        for function in of(result, "aws:lambda/function:Function"):
            name = function.name
            for statement in statements(result, name):
                if statement["Action"] == ["rds-db:connect"] and any(
                    r.endswith(f"/{MASTER_USER}") for r in statement["Resource"]
                ):
                    master_grants.setdefault(name, []).append("rds-db:connect")
                if "secretsmanager:GetSecretValue" in statement["Action"]:
                    master_grants.setdefault(name, []).append("secret")
    # prod: through the proxy with an IAM token (the proxy holds the secret); dev (no proxy): the secret;
    # prod's rotation function rotates it (and connects with it).
    assert master_grants == {
        "leasing-us-east-1-db-migrations": ["rds-db:connect", "secret"],
        "leasing-us-east-1-secret-rotation": ["secret"],
    }
    (secret,) = of(dev, "aws:secretsmanager/secret:Secret")
    dev_env = one(dev, "aws:lambda/function:Function", "leasing-us-east-1-db-migrations").inputs["environment"]
    assert (dev_env["variables"]["DB_AUTH"], dev_env["variables"]["DB_SECRET_ARN"]) == ("secret", secret.outputs["arn"])
    prod_env = one(prod, "aws:lambda/function:Function", "leasing-us-east-1-db-migrations").inputs["environment"]
    assert (prod_env["variables"]["DB_AUTH"], prod_env["variables"]["DB_USER"]) == ("iam", MASTER_USER)


def test_lease_api_alias_has_provisioned_concurrency_and_iam_auth(prod, dev):
    for region in (EAST, WEST):
        function = one(prod, "aws:lambda/function:Function", f"leasing-{region}-lease-api")
        assert function.inputs["publish"] is True and function.inputs["reservedConcurrentExecutions"] == 50
        alias = one(prod, "aws:lambda/alias:Alias", f"leasing-{region}-lease-api-live")
        warm = one(
            prod,
            "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
            f"leasing-{region}-lease-api-warm",
        )
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
            queue_policy = policy(
                one(prod, "aws:sqs/queuePolicy:QueuePolicy", f"leasing-{region}-{purpose}-dlq-policy")
            )
            assert queue_policy["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"] == [rule.outputs["arn"]]
            alarm = one(prod, "aws:cloudwatch/metricAlarm:MetricAlarm", f"leasing-{region}-{purpose}-dlq-alarm")
            assert alarm.inputs["dimensions"] == {"QueueName": dlq.outputs["name"]}
        topic = one(prod, "aws:sns/topic:Topic", f"leasing-{region}-lease-topic")
        key = one(prod, "aws:kms/key:Key", f"leasing-{region}-key")
        assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]
        notifications = one(prod, "aws:cloudwatch/eventTarget:EventTarget", f"leasing-{region}-notifications-target")
        assert notifications.inputs["arn"] == topic.outputs["arn"]
        partner = one(prod, "aws:cloudwatch/eventTarget:EventTarget", f"leasing-{region}-partner-target")
        destination = one(
            prod, "aws:cloudwatch/eventApiDestination:EventApiDestination", f"leasing-{region}-partner-destination"
        )
        assert partner.inputs["arn"] == destination.outputs["arn"] and partner.inputs["inputPath"] == "$.detail"
        connection = one(prod, "aws:cloudwatch/eventConnection:EventConnection", f"leasing-{region}-partner-connection")
        assert connection.inputs["authorizationType"] == "API_KEY"
        assert destination.inputs["connectionArn"] == connection.outputs["arn"]
        assert connection.options["ignoreChanges"] == ["authParameters"]  # no key in config: set out of band


def test_outbox_relay_puts_to_the_bus_of_every_region(prod):
    """Issue 16: each relay put only to its own Region's bus, so each event reached one Region."""
    buses = [
        one(prod, "aws:cloudwatch/eventBus:EventBus", f"leasing-{region}-bus").outputs["arn"] for region in (EAST, WEST)
    ]
    for region in (EAST, WEST):
        relay = one(prod, "aws:lambda/function:Function", f"leasing-{region}-outbox-relay")
        env = relay.inputs["environment"]["variables"]
        assert env["EVENT_BUS_ARNS"].split(",") == buses and env["EVENT_SOURCE"] == EVENT_SOURCE
        assert "EVENT_BUS_NAME" not in env
        put = next(s for s in statements(prod, f"leasing-{region}-outbox-relay") if s["Action"] == ["events:PutEvents"])
        assert put["Resource"] == buses
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
    needed = {
        one(prod, "aws:rds/proxyTarget:ProxyTarget", "leasing-us-east-1-proxy-cluster").urn,
        one(prod, "aws:route53/record:Record", "leasing-writer").urn,
    }
    assert needed <= set(invocation.dependencies)


def test_dev_is_one_lean_region_without_data_protection(dev):
    """No proxy, no global cluster, a 0 ACU minimum that pauses: the functions reach the cluster directly."""
    regions = {r.region for r in dev[0].resources if r.region}
    assert regions == {EAST}
    (cluster,) = of(dev, "aws:rds/cluster:Cluster")
    assert cluster.inputs["serverlessv2ScalingConfiguration"] == {
        "minCapacity": 0,
        "maxCapacity": 4,
        "secondsUntilAutoPause": 300,
    }
    assert "globalClusterIdentifier" not in cluster.inputs and not of(dev, "aws:rds/globalCluster:GlobalCluster")
    assert not cluster.inputs["deletionProtection"] and cluster.inputs["skipFinalSnapshot"]
    assert not of(dev, "aws:ec2/vpcPeeringConnection:VpcPeeringConnection")
    assert not of(dev, "aws:rds/proxy:Proxy") and not of(dev, "aws:lambda/function:Function", "failover-dns")
    # No writer record to follow failovers (there are none): the cluster's writer endpoint directly.
    assert not of(dev, "aws:route53/zone:Zone") and not of(dev, "aws:route53/record:Record")
    for key in ("lease-api", "outbox-relay", "db-migrations"):
        env = one(dev, "aws:lambda/function:Function", f"leasing-us-east-1-{key}").inputs["environment"]["variables"]
        assert (env["DB_HOST"], env["DB_HOST_IS_ALIAS"]) == (cluster.outputs["endpoint"], "false")
    groups = {g.name: g.id for g in of(dev, "aws:ec2/securityGroup:SecurityGroup")}
    into_database = [
        r.inputs
        for r in of(dev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["securityGroupId"] == groups["leasing-us-east-1-database"]
    ]
    assert [r["referencedSecurityGroupId"] for r in into_database] == [groups["leasing-us-east-1-functions"]]
    connect = next(s for s in statements(dev, "leasing-us-east-1-lease-api") if s["Action"] == ["rds-db:connect"])
    assert connect["Resource"] == [
        f"arn:aws:rds-db:{EAST}:111111111111:dbuser:{cluster.outputs['clusterResourceId']}/{APP_USER}"
    ]


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


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(min_capacity=0), "min_capacity 0: expected at least 0.5, or 0 .auto-pause. only without RDS Proxy"),
        (dict(min_capacity=0, rds_proxy=False), "min_capacity 0: expected .* without a global database"),
        (
            dict(secondary_provider=object(), secondary_region="us-west-2", global_database=False),
            "global_database False: expected true when the platform spans two Regions",
        ),
        (dict(endpoint_availability_zones=3), "endpoint_availability_zones must be 0 .all. to 2"),
        (dict(api_provisioned_concurrency=80, api_reserved_concurrency=50), "cannot exceed"),
        (dict(api_domain_name="x.example.com"), "api_hosted_zone_id '': expected both .* or neither"),
        (dict(partner_api_url="http://partner.example.com"), "must be https"),
        (dict(secondary_region="us-west-2"), "secondary_provider and secondary_region"),
        (dict(log_retention_days=10), "log_retention_days 10: expected a retention CloudWatch Logs accepts"),
    ],
)
def test_args_are_validated(overrides, message):
    provider = object()
    with pytest.raises(ValueError, match=message):
        LeasingPlatformArgs(primary_provider=provider, primary_region=EAST, **overrides)


def test_the_real_search_side_is_composed_in_each_region_and_routed_through_the_api(prod_with_search):
    result = prod_with_search
    domains = {d.region for d in of(result, "aws:opensearch/domain:Domain")}
    assert domains == {EAST, WEST}
    for region in (EAST, WEST):
        api = one(result, "aws:apigateway/restApi:RestApi", f"leasing-{region}-api")
        deployment = one(result, "aws:apigateway/deployment:Deployment", f"leasing-{region}-api-deployment")
        search_methods = [
            m
            for m in of(result, "aws:apigateway/method:Method", region)
            if m.inputs["restApi"] == api.id and m.name != f"leasing-{region}-api-any"
        ]
        assert search_methods and all(m.inputs["authorization"] == "AWS_IAM" for m in search_methods)
        assert {m.urn for m in search_methods} <= set(deployment.dependencies)


def test_lease_events_are_routed_from_each_regions_bus_to_its_search_stream(prod_with_search):
    """Issue 16: nothing fed the stream. A rule per search event on the lease bus puts it on the
    stream, keyed by the listing it changes, with a role and a dead-letter queue."""
    result = prod_with_search
    for region, short in ((EAST, "useast1"), (WEST, "uswest2")):
        bus = one(result, "aws:cloudwatch/eventBus:EventBus", f"leasing-{region}-bus")
        stream = one(result, "aws:kinesis/stream:Stream", f"search-{short}-listings")
        role = one(result, "aws:iam/role:Role", f"search-{short}-events-to-stream")
        dlq = one(result, "aws:sqs/queue:Queue", f"search-{short}-search-events-dlq")
        trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
        assert trust["Condition"] == {
            "StringEquals": {"aws:SourceAccount": "111111111111"},
            "ArnLike": {"aws:SourceArn": bus.outputs["arn"].replace(":event-bus/", ":rule/") + f"/search-{short}-*"},
        }
        assert policy(one(result, "aws:iam/rolePolicy:RolePolicy", f"search-{short}-events-to-stream"))[
            "Statement"
        ] == [{"Effect": "Allow", "Action": ["kinesis:PutRecord"], "Resource": [stream.outputs["arn"]]}]
        for purpose, detail_type, source, key in (
            ("lease-created", "Lease Created", EVENT_SOURCE, "$.detail.unit_id"),
            ("listing-changed", "Listing Changed", "blueprints.listings", "$.detail.listing_id"),
        ):
            rule = one(result, "aws:cloudwatch/eventRule:EventRule", f"search-{short}-{purpose}-rule")
            assert rule.region == region and rule.inputs["eventBusName"] == bus.outputs["name"]
            assert json.loads(rule.inputs["eventPattern"]) == {"source": [source], "detail-type": [detail_type]}
            target = one(result, "aws:cloudwatch/eventTarget:EventTarget", f"search-{short}-{purpose}-target")
            assert target.inputs["arn"] == stream.outputs["arn"] and target.inputs["roleArn"] == role.outputs["arn"]
            assert target.inputs["kinesisTarget"] == {"partitionKeyPath": key}
            assert target.inputs["deadLetterConfig"]["arn"] == dlq.outputs["arn"]
            assert "inputTransformer" not in target.inputs  # the indexer reads the whole event


def test_prod_rotates_the_master_secret_through_the_global_writer_endpoint(prod, dev):
    """The security pack's finding (no rotation in protected prod): Aurora cannot manage the password of a
    global database's cluster, so a rotation function does, on the writer wherever it is."""
    (secret,) = of(prod, "aws:secretsmanager/secret:Secret")
    (rotation,) = of(prod, "aws:secretsmanager/secretRotation:SecretRotation")
    function = one(prod, "aws:lambda/function:Function", "leasing-us-east-1-secret-rotation")
    assert rotation.inputs["secretId"] == secret.id and rotation.inputs["rotationLambdaArn"] == function.outputs["arn"]
    assert rotation.inputs["rotationRules"]["automaticallyAfterDays"] == 30
    permission = one(prod, "aws:lambda/permission:Permission", "leasing-us-east-1-secret-rotation-invoke")
    assert (permission.inputs["principal"], permission.inputs["sourceArn"]) == (
        "secretsmanager.amazonaws.com",
        secret.outputs["arn"],
    )
    (global_cluster,) = of(prod, "aws:rds/globalCluster:GlobalCluster")
    env = function.inputs["environment"]["variables"]
    assert env["DB_HOST"] == global_cluster.outputs["endpoint"] and env["DB_NAME"] == "leasing"
    (statement,) = [
        s for s in statements(prod, "leasing-us-east-1-secret-rotation") if s["Resource"] == [secret.outputs["arn"]]
    ]
    assert sorted(statement["Action"]) == [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecretVersionStage",
    ]
    # Its own security group reaches Aurora in both Regions (the writer may be either).
    groups = {g.name: g.id for g in of(prod, "aws:ec2/securityGroup:SecurityGroup")}
    assert function.inputs["vpcConfig"]["securityGroupIds"] == [groups["leasing-us-east-1-rotation"]]
    ingress = of(prod, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    into_east = {
        r.inputs.get("referencedSecurityGroupId")
        for r in ingress
        if r.inputs["securityGroupId"] == groups["leasing-us-east-1-database"]
    }
    assert into_east == {groups["leasing-us-east-1-proxy"], groups["leasing-us-east-1-rotation"]}
    into_west = {
        r.inputs.get("cidrIpv4") for r in ingress if r.inputs["securityGroupId"] == groups["leasing-us-west-2-database"]
    }
    assert "10.60.0.0/16" in into_west
    assert not of(dev, "aws:secretsmanager/secretRotation:SecretRotation")


def test_the_outbox_wait_alarm_allows_two_relay_periods(prod):
    from components.leasing import schedule_seconds

    assert [
        schedule_seconds(e) for e in ("rate(1 minute)", "rate(15 minutes)", "rate(2 hours)", "cron(0 * * * ? *)")
    ] == [60, 900, 7200, 0]
    alarm = one(prod, "aws:cloudwatch/metricAlarm:MetricAlarm", "leasing-us-east-1-outboxoldestpendingseconds-alarm")
    assert alarm.inputs["threshold"] == 900  # rate(1 minute): the 15-minute floor; dev's rate(15 minutes): 30
