"""Amazon OpenSearch Service domains."""

from __future__ import annotations

from .registry import Ctx, aws_type


@aws_type("aws:opensearch/domain:Domain", name="domainName", max_name=28)
def _opensearch_domain(c: Ctx):
    name = c.physical_name.lower()
    arn = c.arn("es", f"domain/{name}")
    prefix = "vpc" if c.get("vpcOptions") else "search"
    endpoint = f"{prefix}-{name}-{c.lower(26)}.{c.region}.es.amazonaws.com"
    return arn, {
        "arn": arn,
        "domainName": name,
        "domainId": f"{c.account}/{name}",
        "endpoint": endpoint,
        "dashboardEndpoint": f"{endpoint}/_dashboards",
        "engineVersion": c.get("engineVersion", "OpenSearch_2.17"),
    }


@aws_type("aws:opensearch/domainPolicy:DomainPolicy")
def _opensearch_domain_policy(c: Ctx):
    return f"esd-policy-{c.get('domainName')}", {}
