"""Search bootstrap: the stack invokes it once per change of its input (see bootstrap.py).

The input names the domain endpoint (`endpoint`) as well: the domain makes this function's role its
master user, so the function exists before the domain and cannot carry the endpoint in its
environment.

Its role is the domain's fine-grained access control master user, so it is the only function that
can change mappings and security roles; the indexer and the search API get narrow roles from it.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from .bootstrap import bootstrap
from .opensearch import client_from_env

logger = Logger()


@logger.inject_lambda_context
def handler(event: dict, context: Any) -> dict:
    result = bootstrap(client_from_env(event.get("endpoint")), event)
    logger.info("search index and roles in place", extra=result)
    return result
