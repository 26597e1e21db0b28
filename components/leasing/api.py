"""The lease REST API of each Region (IAM auth, Lambda proxy integration, the search side's routes, a 5XX
alarm) and the optional custom domain with latency records and health checks."""

from __future__ import annotations

import hashlib

import pulumi
import pulumi_aws as aws

from components import alarms
from components.leasing.args import SearchSite
from components.leasing.base import LeasingSite, PlatformBase


class ApiPart(PlatformBase):
    """The REST API and its custom domain."""

    def _api(self, site: LeasingSite) -> None:
        args = self.args
        api = aws.apigateway.RestApi(
            self._n(site, "api"),
            name=f"{self.identifier}-lease-api",
            description="Lease API (IAM-authorised callers)",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types="REGIONAL"),
            disable_execute_api_endpoint=bool(args.api_domain_name),
            opts=self._opts(site),
        )
        site.rest_api = api
        proxy = aws.apigateway.Resource(
            self._n(site, "api-proxy"),
            rest_api=api.id,
            parent_id=api.root_resource_id,
            path_part="{proxy+}",
            opts=self._opts(site),
        )
        method = aws.apigateway.Method(
            self._n(site, "api-any"),
            rest_api=api.id,
            resource_id=proxy.id,
            http_method="ANY",
            authorization="AWS_IAM",
            opts=self._opts(site),
        )
        integration = aws.apigateway.Integration(
            self._n(site, "api-lambda"),
            rest_api=api.id,
            resource_id=proxy.id,
            http_method=method.http_method,
            type="AWS_PROXY",
            integration_http_method="POST",
            uri=site.api_alias.invoke_arn,
            opts=self._opts(site),
        )
        aws.lambda_.Permission(
            self._n(site, "api-invoke"),
            action="lambda:InvokeFunction",
            function=site.functions["lease-api"].name,
            qualifier=site.api_alias.name,
            principal="apigateway.amazonaws.com",
            source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*/*"),
            opts=self._opts(site),
        )

        if args.search_builder is not None:
            site.search = tuple(
                args.search_builder(
                    SearchSite(
                        region=site.region,
                        provider=site.provider,
                        parent=self,
                        vpc_id=site.network.vpc_id,
                        vpc_cidr_block=site.cidr,
                        subnet_ids=site.network.private_subnet_ids,
                        rest_api_id=api.id,
                        rest_api_root_resource_id=api.root_resource_id,
                        api_execution_arn=api.execution_arn,
                        alarm_topic_arn=site.alarm_topic.arn,
                        protect=args.protect_data,
                        lease_bus_name=site.bus.name,
                        lease_bus_arn=site.bus.arn,
                    )
                )
            )

        deployment = aws.apigateway.Deployment(
            self._n(site, "api-deployment"),
            rest_api=api.id,
            description="Lease API",
            # Redeploy when the routes change: ours are fixed, the search side's are its resources' ids.
            triggers={
                "routes": hashlib.sha256(b"ANY /{proxy+} AWS_IAM lambda:live").hexdigest(),
                "search": pulumi.Output.all(
                    *[r.id if isinstance(r, pulumi.CustomResource) else r.urn for r in site.search]
                ).apply(lambda ids: hashlib.sha256("|".join(ids).encode()).hexdigest()),
            },
            opts=self._opts(site, depends_on=[method, integration, *site.search]),
        )
        site.stage = aws.apigateway.Stage(
            self._n(site, "api-stage"),
            rest_api=api.id,
            deployment=deployment.id,
            stage_name="v1",
            opts=self._opts(site),
        )
        aws.apigateway.MethodSettings(
            self._n(site, "api-settings"),
            rest_api=api.id,
            stage_name=site.stage.stage_name,
            method_path="*/*",
            settings=aws.apigateway.MethodSettingsSettingsArgs(
                metrics_enabled=True, throttling_rate_limit=100, throttling_burst_limit=200
            ),
            opts=self._opts(site),
        )
        site.api_errors_alarm = alarms.metric_alarm(
            self._n(site, "api-5xx-alarm"),
            alarms.API_ERRORS,
            dimensions={"ApiName": api.name, "Stage": site.stage.stage_name},
            description="The lease API fails in this Region (also takes it out of the latency records)",
            actions=[site.alarm_topic.arn],
            opts=self._opts(site),
        )

    def _custom_domain(self) -> None:
        args, primary = self.args, self.primary
        validation_record = None
        for site in self.sites.values():
            certificate = aws.acm.Certificate(
                self._n(site, "api-certificate"),
                domain_name=args.api_domain_name,
                validation_method="DNS",
                opts=self._opts(site),
            )
            option = certificate.domain_validation_options[0]
            if validation_record is None:
                # ACM asks for the same record in every Region for the same name and account.
                validation_record = aws.route53.Record(
                    f"{self.name}-api-certificate-validation",
                    zone_id=args.api_hosted_zone_id,
                    name=option.resource_record_name,
                    type=option.resource_record_type,
                    records=[option.resource_record_value],
                    ttl=300,
                    allow_overwrite=True,
                    opts=self._opts(primary),
                )
            validation = aws.acm.CertificateValidation(
                self._n(site, "api-certificate-valid"),
                certificate_arn=certificate.arn,
                validation_record_fqdns=[validation_record.fqdn],
                opts=self._opts(site),
            )
            domain = aws.apigateway.DomainName(
                self._n(site, "api-domain"),
                domain_name=args.api_domain_name,
                regional_certificate_arn=validation.certificate_arn,
                security_policy="TLS_1_2",
                endpoint_configuration=aws.apigateway.DomainNameEndpointConfigurationArgs(types="REGIONAL"),
                opts=self._opts(site),
            )
            aws.apigateway.BasePathMapping(
                self._n(site, "api-mapping"),
                rest_api=site.rest_api.id,
                stage_name=site.stage.stage_name,
                domain_name=domain.domain_name,
                opts=self._opts(site),
            )
            health = aws.route53.HealthCheck(
                self._n(site, "api-health"),
                type="CLOUDWATCH_METRIC",
                cloudwatch_alarm_name=site.api_errors_alarm.name,
                cloudwatch_alarm_region=site.region,
                insufficient_data_health_status="Healthy",
                reference_name=f"lease-api-{site.region}"[:64],
                opts=self._opts(primary),
            )
            aws.route53.Record(
                self._n(site, "api-latency"),
                zone_id=args.api_hosted_zone_id,
                name=args.api_domain_name,
                type="A",
                set_identifier=site.region,
                latency_routing_policies=[aws.route53.RecordLatencyRoutingPolicyArgs(region=site.region)],
                health_check_id=health.id,
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=domain.regional_domain_name, zone_id=domain.regional_zone_id, evaluate_target_health=True
                    )
                ],
                opts=self._opts(primary),
            )
