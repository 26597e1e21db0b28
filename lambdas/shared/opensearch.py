"""OpenSearch client signed with SigV4 using the function's role (service `es`).

The same small module ships in each search function (each is its own deployment package).
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

import boto3
from opensearchpy import AWSV4SignerAuth, OpenSearch, RequestsHttpConnection


def client_from_env(endpoint: str | None = None) -> OpenSearch:
    """`endpoint` (default: OPENSEARCH_ENDPOINT) is the domain endpoint, with or without scheme
    (the domain's `endpoint` attribute has none, so https is assumed)."""
    endpoint = endpoint or os.environ["OPENSEARCH_ENDPOINT"]
    url = urlparse(endpoint if "://" in endpoint else f"https://{endpoint}")
    use_ssl = url.scheme == "https"
    region = os.environ.get("AWS_REGION") or os.environ["AWS_DEFAULT_REGION"]
    # The credentials object refreshes itself; the signer freezes it per request.
    auth = AWSV4SignerAuth(boto3.Session().get_credentials(), region, "es")
    return OpenSearch(
        hosts=[{"host": url.hostname, "port": url.port or (443 if use_ssl else 80)}],
        http_auth=auth,
        use_ssl=use_ssl,
        verify_certs=use_ssl,
        connection_class=RequestsHttpConnection,
        timeout=float(os.environ.get("OPENSEARCH_TIMEOUT_SECONDS", "10")),
        # Whole-request retries for a node that is briefly unavailable; item-level retries are ours.
        max_retries=int(os.environ.get("OPENSEARCH_MAX_RETRIES", "1")),
        retry_on_status=(502, 503, 504),
        pool_maxsize=4,
    )
