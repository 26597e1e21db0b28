"""The fallback for any ``aws:`` type the registry does not know: an ID and an ARN from its token."""

from __future__ import annotations

import re

from .registry import Ctx

# Token module -> ARN service where they differ.
_ARN_SERVICE = {
    "cloudwatch": "cloudwatch",
    "lb": "elasticloadbalancing",
    "alb": "elasticloadbalancing",
    "opensearch": "es",
    "elasticsearch": "es",
    "sfn": "states",
    "cognito": "cognito-idp",
    "ec2transitgateway": "ec2",
    "vpc": "ec2",
    "acmpca": "acm-pca",
    "cloudfront": "cloudfront",
    "apigatewayv2": "apigateway",
    "servicediscovery": "servicediscovery",
}


_GLOBAL_MODULES = {
    "iam",
    "route53",
    "cloudfront",
    "organizations",
    "budgets",
    "globalaccelerator",
    "networkmanager",
    "shield",
}


def _kebab(type_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", type_name).lower()


def generic_type(c: Ctx) -> tuple[str, dict]:
    """A sensible ID and ARN for any AWS type the registry does not know yet."""
    module = c.type.split(":")[1].split("/")[0] if c.type.count(":") >= 2 else "aws"
    type_name = c.type.split(":")[-1]
    service = _ARN_SERVICE.get(module, module)
    type_key = type_name[:1].lower() + type_name[1:] + "Name"
    given = next(
        (c.inputs[k] for k in ("name", type_key, "domainName", "identifier") if isinstance(c.inputs.get(k), str)), None
    )
    physical = c.physical_name or given or f"{c.name}-{c.hex(7)}"
    global_ = module in _GLOBAL_MODULES
    arn = c.arn(service, f"{_kebab(type_name)}/{physical}", regional=not global_)
    return physical, {"arn": arn}
