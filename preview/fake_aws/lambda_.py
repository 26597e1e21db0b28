"""AWS Lambda: functions, aliases, permissions, provisioned concurrency, event source mappings,
layers, function URLs."""

from __future__ import annotations

from .registry import Ctx, aws_type


def _invoke_arn(c: Ctx, function_arn: str) -> str:
    return f"arn:{c.partition}:apigateway:{c.region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


@aws_type("aws:lambda/function:Function", name="name", max_name=64)
def _lambda_function(c: Ctx):
    arn = c.arn("lambda", f"function:{c.physical_name}")
    version = "1" if c.get("publish") else "$LATEST"
    qualified = f"{arn}:{version}"
    return c.physical_name, {
        "arn": arn,
        "invokeArn": _invoke_arn(c, arn),
        "qualifiedArn": qualified,
        "qualifiedInvokeArn": _invoke_arn(c, qualified),
        "version": version,
        "lastModified": "2024-01-01T00:00:00.000+0000",
        "sourceCodeHash": c.alnum(43) + "=",
        "codeSha256": c.alnum(43) + "=",
        "sourceCodeSize": 4096,
        "architectures": c.get("architectures", ["x86_64"]),
        "memorySize": c.get("memorySize", 128),
        "timeout": c.get("timeout", 3),
        "signingJobArn": "",
        "signingProfileVersionArn": "",
    }


@aws_type("aws:lambda/alias:Alias", name="name", max_name=128)
def _lambda_alias(c: Ctx):
    function = c.get("functionName", "function")
    function_arn = function if function.startswith("arn:") else c.arn("lambda", f"function:{function}")
    arn = f"{function_arn}:{c.physical_name}"
    return arn, {"arn": arn, "invokeArn": _invoke_arn(c, arn)}


@aws_type("aws:lambda/permission:Permission")
def _lambda_permission(c: Ctx):
    statement = c.get("statementId") or f"terraform-{c.hex(26)}"
    return statement, {"statementId": statement}


@aws_type("aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")
def _lambda_pcc(c: Ctx):
    return f"{c.get('functionName')},{c.get('qualifier')}", {}


@aws_type("aws:lambda/eventSourceMapping:EventSourceMapping")
def _lambda_esm(c: Ctx):
    esm = c.uuid()
    function = c.get("functionName", "function")
    function_arn = function if str(function).startswith("arn:") else c.arn("lambda", f"function:{function}")
    return esm, {
        "uuid": esm,
        "functionArn": function_arn,
        "state": "Enabled",
        "arn": c.arn("lambda", f"event-source-mapping:{esm}"),
    }


@aws_type("aws:lambda/layerVersion:LayerVersion", name="layerName", max_name=140)
def _lambda_layer(c: Ctx):
    layer_arn = c.arn("lambda", f"layer:{c.physical_name}")
    return f"{layer_arn}:1", {"arn": f"{layer_arn}:1", "layerArn": layer_arn, "version": "1"}


@aws_type("aws:lambda/functionUrl:FunctionUrl")
def _lambda_url(c: Ctx):
    return c.get("functionName", c.name), {
        "functionUrl": f"https://{c.lower(32)}.lambda-url.{c.region}.on.aws/",
        "urlId": c.lower(32),
    }
