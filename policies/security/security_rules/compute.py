"""Compute rules: Lambda functions and their permissions, ECS tasks, container images, EC2 instances."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ._core import (
    Finding,
    Item,
    NotApplicable,
    Res,
    RuleConfig,
    Stack,
    Undecided,
    as_list,
    each_item,
    forbidden,
    get,
    glob_match,
    is_unknown,
    plain,
    required,
    resource_rule,
    stack_rule,
    truthy,
)
from ._options import bool_option, int_option, list_option, text_option

FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"


# --- lp-lambda-permission-scoped ----------------------------------------------------------------------


def _service(principal: str) -> bool:
    return principal.endswith((".amazonaws.com", ".amazonaws.com.cn"))


def _permission_scoped(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    principal = res.props.get("principal")
    if is_unknown(principal):
        yield Undecided(principal.path)
        return
    org = res.props.get("principalOrgId")
    if principal == "*":
        yield from required(
            org,
            "Principal::*",
            "principal",
            "anyone may invoke this function: name the service (with sourceArn) or account, or set principalOrgId.",
        )
    elif _service(str(principal)):
        source_arn, source_account = res.props.get("sourceArn"), res.props.get("sourceAccount")
        if is_unknown(source_arn):
            # Set, to an ARN computed from another resource: whether it names one resource is known at up.
            yield Undecided(source_arn.path, "whether the source ARN names one rule, API or bucket")
            return
        if is_unknown(source_account) and not source_arn:
            yield Undecided(source_account.path)
            return
        if not source_arn and not source_account:
            yield Finding(
                f"Principal::{principal}",
                "principal",
                f"any {principal} resource of any account may "
                "invoke this function: set sourceArn to the rule, API or bucket that calls it (and "
                "sourceAccount).",
                subject="sourceArn",
            )
        elif source_arn and _wildcard_source(str(source_arn)):
            yield Finding(
                f"SourceArn::{source_arn}",
                "sourceArn",
                "the source ARN is a wildcard: name the exact rule, API or bucket.",
                subject=str(principal),
            )


def _wildcard_source(arn: str) -> bool:
    """A source ARN that matches other callers than one resource. An API's execution ARN followed by
    ``/*/*`` (any stage, method and path of that one API) is bound to the API."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return "*" in arn or "?" in arn
    if any(c in part for part in parts[:5] for c in "*?"):
        return True
    resource = parts[5]
    if parts[2] == "execute-api":
        resource = resource.split("/", 1)[0]
    return "*" in resource or "?" in resource


lambda_permission_scoped = resource_rule(
    name="lp-lambda-permission-scoped",
    description=(
        "Lambda permissions name their caller: never principal '*' (unless principalOrgId), and a service "
        "principal always with sourceArn (the rule, API or bucket) or sourceAccount."
    ),
    types={PERMISSION},
    check=_permission_scoped,
)


# --- lp-lambda-url-auth ------------------------------------------------------------------------------------


def _url_auth(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    prop = "authorizationType" if res.type == FUNCTION_URL else "functionUrlAuthType"
    kind = res.props.get(prop)
    if is_unknown(kind):
        yield Undecided(kind.path)
    elif kind == "NONE":
        yield Finding(
            f"{prop[0].upper() + prop[1:]}::NONE",
            prop,
            "a function URL with no authentication can be "
            "called by anyone on the Internet: use AWS_IAM (or put CloudFront with WAF in front and "
            "record that in an exception with the reason).",
        )


lambda_url_auth = resource_rule(
    name="lp-lambda-url-auth",
    description="Lambda function URLs authenticate callers: authorizationType = AWS_IAM, never NONE.",
    types={FUNCTION_URL, PERMISSION},
    check=_url_auth,
    severity=Severity.CRITICAL,
)


# --- lp-lambda-in-vpc ----------------------------------------------------------------------------------------


def _in_vpc(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    tags = res.props.get("tags")
    variables = get(res.props, "environment", "variables")
    if is_unknown(variables):
        yield Undecided(variables.path)
        return
    names = sorted(variables or {})
    markers = [n for n in names if any(glob_match(p, n) for p in cfg["dataStoreVariables"])]
    if not markers and is_unknown(tags):
        yield Undecided(tags.path, f"whether the function carries the {cfg['markerTag']} tag")
        return
    tagged = isinstance(tags, dict) and cfg["markerTag"] in tags
    if not markers and not tagged:
        yield NotApplicable("the function shows no sign of reaching a private data store")
        return
    why = f"environment {', '.join(markers)}" if markers else f"tag {cfg['markerTag']}"
    subnets = get(res.props, "vpcConfig", "subnetIds")
    groups = get(res.props, "vpcConfig", "securityGroupIds")
    for value, prop in ((subnets, "subnetIds"), (groups, "securityGroupIds")):
        yield from required(
            value,
            f"VpcConfig::{prop}",
            f"vpcConfig.{prop}",
            f"the function reaches a private data store "
            f"({why}) but has no {prop}: run it in the private subnets with a security group the "
            "data store admits.",
        )


lambda_in_vpc = resource_rule(
    name="lp-lambda-in-vpc",
    description=(
        "Functions that talk to private data stores (database, RDS Proxy, OpenSearch) run in the VPC's "
        "private subnets: set vpcConfig.subnetIds and securityGroupIds."
    ),
    types={FUNCTION},
    check=_in_vpc,
    config={
        "dataStoreVariables": list_option(
            [
                "DB_HOST",
                "*_DB_HOST",
                "PGHOST",
                "DATABASE_URL",
                "*PROXY_ENDPOINT",
                "OPENSEARCH_ENDPOINT",
                "*_OPENSEARCH_ENDPOINT",
            ],
            "Environment variable globs that mark a function as reaching a private data store.",
        ),
        "markerTag": text_option("VpcRequired", "A tag key that marks a function as needing the VPC."),
    },
)


# --- lp-lambda-runtime-supported -------------------------------------------------------------------------


def _runtime(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    if res.props.get("packageType") == "Image":
        yield NotApplicable("a container image function brings its own runtime")
        return
    runtime = res.props.get("runtime")
    if is_unknown(runtime):
        yield Undecided(runtime.path)
    elif runtime not in cfg["supportedRuntimes"]:
        yield Finding(
            f"Runtime::{runtime}",
            "runtime",
            f"{runtime} is not on the supported list: move to "
            f"{cfg['supportedRuntimes'][0] if cfg['supportedRuntimes'] else 'a current runtime'} or newer "
            "to keep receiving security patches.",
        )


lambda_runtime_supported = resource_rule(
    name="lp-lambda-runtime-supported",
    description="Functions use a runtime that still receives security patches (supportedRuntimes).",
    types={FUNCTION},
    level=EnforcementLevel.ADVISORY,
    check=_runtime,
    severity=Severity.MEDIUM,
    config={
        "supportedRuntimes": list_option(
            [
                "python3.12",
                "python3.13",
                "python3.14",
                "nodejs22.x",
                "nodejs24.x",
                "java21",
                "java25",
                "dotnet8",
                "provided.al2023",
            ],
            "Runtimes allowed.",
        )
    },
)


# --- lp-ecs-proxy-hardening -------------------------------------------------------------------------------

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECS_SERVICE = "aws:ecs/service:Service"


def _ecs_hardening(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    if res.type == ECS_SERVICE:
        public = get(res.props, "networkConfiguration", "assignPublicIp")
        yield from forbidden(
            public,
            "AssignPublicIp::true",
            "networkConfiguration.assignPublicIp",
            "tasks get a public IP: run them in private subnets (assignPublicIp = false) behind the load balancer.",
        )
        return
    execution, task = res.props.get("executionRoleArn"), res.props.get("taskRoleArn")
    if (is_unknown(execution) and task is not None) or (is_unknown(task) and execution is not None):
        # Both set, at least one computed: whether they are the same role is known at `pulumi up`.
        yield Undecided(
            (execution if is_unknown(execution) else task).path,
            "whether the task role is distinct from the execution role",
        )
    elif execution and execution == task:
        yield Finding(
            "TaskRole::execution-role",
            "taskRoleArn",
            "the containers run with the execution role (which "
            "pulls images and reads secrets): give them their own task role.",
        )
    document = res.props.get("containerDefinitions")
    if is_unknown(document):
        yield Undecided(document.path)
        return
    try:
        containers = json.loads(document) if isinstance(document, str) else document
    except json.JSONDecodeError as error:
        yield Finding("ContainerDefinitions::invalid", "containerDefinitions", f"not valid JSON ({error.msg}).")
        return
    for index, container in enumerate(as_list(containers)):
        name = container.get("name") or str(index)
        where = f"containerDefinitions[{name}]"
        for variable in as_list(container.get("environment")):
            key = str(variable.get("name", ""))
            if any(glob_match(p, key.upper()) for p in cfg["secretVariablePatterns"]):
                yield Finding(
                    f"Environment::{key}",
                    f"{where}.environment",
                    f"{key} looks like a secret in plain "
                    "text (visible to anyone who can describe the task): move it to secrets "
                    "(Secrets Manager / SSM SecureString).",
                    subject=name,
                )
        if container.get("privileged"):
            yield Finding(
                "Privileged::true",
                f"{where}.privileged",
                "a privileged container is root on the host: remove privileged.",
                subject=name,
            )
        if cfg["requireReadOnlyRootFilesystem"] and not container.get("readonlyRootFilesystem"):
            yield Finding(
                "ReadonlyRootFilesystem::false",
                f"{where}.readonlyRootFilesystem",
                "set readonlyRootFilesystem = true and mount writable paths (cache, pid, temp) as "
                "volumes, so a compromised process cannot change the image.",
                subject=name,
            )
        if not container.get("logConfiguration"):
            yield Finding(
                "LogConfiguration::missing",
                f"{where}.logConfiguration",
                "send the container's logs to CloudWatch (logDriver awslogs).",
                subject=name,
            )


ecs_proxy_hardening = resource_rule(
    name="lp-ecs-proxy-hardening",
    description=(
        "ECS tasks (the mTLS proxy) are hardened: no secrets in plain environment variables, not "
        "privileged, read-only root filesystem, logs to CloudWatch, a task role distinct from the execution "
        "role, and no public IP on the service."
    ),
    types={TASK_DEFINITION, ECS_SERVICE},
    check=_ecs_hardening,
    config={
        "secretVariablePatterns": list_option(
            [
                "*PASSWORD*",
                "*SECRET*",
                "*TOKEN*",
                "*PRIVATE_KEY*",
                "*API_KEY*",
                "*ACCESS_KEY*",
                "*CREDENTIAL*",
            ],
            "Globs on environment variable names that hold secrets.",
        ),
        "requireReadOnlyRootFilesystem": bool_option(True, "Require readonlyRootFilesystem on every container."),
    },
)


# --- lp-ecr-scan-on-push ------------------------------------------------------------------------------------


def _ecr_scan(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    scan = get(res.props, "imageScanningConfiguration", "scanOnPush")
    yield from required(
        scan,
        "ScanOnPush::false",
        "imageScanningConfiguration.scanOnPush",
        "set scanOnPush = true so every pushed image is scanned for known vulnerabilities (basic scanning is free).",
    )
    if cfg["requireImmutableTags"]:
        mutability = res.props.get("imageTagMutability") or "MUTABLE"
        if is_unknown(mutability):
            yield Undecided(mutability.path)
        elif not str(mutability).startswith("IMMUTABLE"):
            yield Finding(
                f"ImageTagMutability::{mutability}",
                "imageTagMutability",
                "set IMMUTABLE so a tag always means the image that was scanned and deployed.",
            )


ecr_scan_on_push = resource_rule(
    name="lp-ecr-scan-on-push",
    description="Container repositories scan images on push (and, when configured, keep tags immutable).",
    types={"aws:ecr/repository:Repository"},
    check=_ecr_scan,
    severity=Severity.MEDIUM,
    config={"requireImmutableTags": bool_option(False, "Also require imageTagMutability IMMUTABLE.")},
)


# --- EC2 -----------------------------------------------------------------------------------------------------

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
VOLUME = "aws:ebs/volume:Volume"


def _imdsv2(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    options = res.props.get("metadataOptions")
    if is_unknown(options):
        yield Undecided(options.path)
        return
    if res.type == INSTANCE and not options and res.props.get("launchTemplate"):
        yield NotApplicable("the instance takes its metadata options from its launch template (checked there)")
        return
    options = options or {}
    if options.get("httpEndpoint") == "disabled":
        return
    tokens = options.get("httpTokens")
    if is_unknown(tokens):
        yield Undecided(tokens.path)
    elif tokens != "required":
        yield Finding(
            f"HttpTokens::{tokens or 'unset'}",
            "metadataOptions.httpTokens",
            "require IMDSv2 session "
            "tokens (httpTokens = required) so SSRF cannot read the instance role's credentials.",
        )
    hops = options.get("httpPutResponseHopLimit")
    if is_unknown(hops):
        yield Undecided(hops.path)
    elif hops is not None and int(hops) > cfg["maxHopLimit"]:
        yield Finding(
            f"HopLimit::{int(hops)}",
            "metadataOptions.httpPutResponseHopLimit",
            f"a hop limit above {cfg['maxHopLimit']} lets containers or forwarded traffic reach the metadata service.",
        )


ec2_imdsv2 = resource_rule(
    name="lp-ec2-imdsv2",
    description=("Instances and launch templates require IMDSv2: metadataOptions.httpTokens = required, hop limit 1."),
    types={INSTANCE, LAUNCH_TEMPLATE},
    check=_imdsv2,
    config={"maxHopLimit": int_option(1, "Largest httpPutResponseHopLimit allowed.", minimum=1)},
)


def _ebs_encrypted(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    default_on = cfg["accountEncryptionByDefault"]

    def check(value: Any, where: str, token: str) -> Iterator[Item]:
        if is_unknown(value):
            yield Undecided(value.path)
        elif value is None and default_on:
            return
        elif not truthy(value):
            yield Finding(
                token,
                where,
                "set encrypted = true (the account default applies only when EBS "
                "encryption by default is on, which this rule is not told).",
            )

    if res.type == VOLUME:
        yield from check(res.props.get("encrypted"), "encrypted", "Encrypted::false")
        return
    if res.type == INSTANCE:
        root = res.props.get("rootBlockDevice")
        if is_unknown(root):
            yield Undecided(root.path)
        elif root is None and res.props.get("launchTemplate"):
            pass  # the launch template's mapping is checked on the template
        else:
            yield from check((root or {}).get("encrypted"), "rootBlockDevice.encrypted", "Encrypted::root")
        for index, device in enumerate(each_item(res.props.get("ebsBlockDevices"))):
            if isinstance(device, Undecided):
                yield device
                continue
            yield from check(
                device.get("encrypted"),
                f"ebsBlockDevices[{index}].encrypted",
                f"Encrypted::{device.get('deviceName') or index}",
            )
        return
    for index, mapping in enumerate(each_item(res.props.get("blockDeviceMappings"))):
        if isinstance(mapping, Undecided):
            yield mapping
            continue
        ebs = mapping.get("ebs")
        if ebs is None:
            continue
        yield from check(
            ebs.get("encrypted"),
            f"blockDeviceMappings[{index}].ebs.encrypted",
            f"Encrypted::{mapping.get('deviceName') or index}",
        )


ebs_encrypted = resource_rule(
    name="lp-ebs-encrypted",
    description="EBS volumes are encrypted: instance root and data devices, launch template mappings and volumes.",
    types={INSTANCE, LAUNCH_TEMPLATE, VOLUME},
    check=_ebs_encrypted,
    config={
        "accountEncryptionByDefault": bool_option(
            False, "The accounts have EBS encryption by default on, so an unset 'encrypted' is fine."
        )
    },
)


# --- lp-ec2-public-ip-only-with-eip-optin (stack) --------------------------------------------------------------

EIP = "aws:ec2/eip:Eip"
EIP_ASSOCIATION = "aws:ec2/eipAssociation:EipAssociation"


def _public_ip(stack: Stack, cfg: RuleConfig) -> Iterator[Item]:
    if cfg["allowPublicIp"]:
        return
    instances = stack.of_type(INSTANCE)
    with_eip: set[int] = set()
    for eip in stack.of_type(EIP, EIP_ASSOCIATION):
        targets = stack.referenced(eip, "instance" if eip.type == EIP else "instanceId", instances)
        if not is_unknown(targets):
            with_eip |= {id(t) for t in targets}
    templates_with_eip: set[int] = set()
    for instance in instances:
        if id(instance) in with_eip:
            used = stack.referenced(instance, "launchTemplate", stack.of_type(LAUNCH_TEMPLATE))
            if not is_unknown(used):
                templates_with_eip |= {id(t) for t in used}
    for instance in instances:
        public = instance.props.get("associatePublicIpAddress")
        if is_unknown(public):
            # Outputs: an instance in a public subnet reports the address it was given; decide on inputs.
            yield Undecided(public.path, resource=instance)
        elif public and id(instance) not in with_eip:
            yield Finding(
                "PublicIp::associatePublicIpAddress",
                "associatePublicIpAddress",
                "the instance gets a "
                "public address without the Elastic IP opt-in: leave it private and reach it through SSM, "
                "or enable the Elastic IP in the stack config.",
                resource=instance,
            )
    for template in stack.of_type(LAUNCH_TEMPLATE):
        for index, interface in enumerate(each_item(template.props.get("networkInterfaces"))):
            if isinstance(interface, Undecided):
                interface.resource = template
                yield interface
                continue
            value = interface.get("associatePublicIpAddress")
            if is_unknown(value):
                yield Undecided(value.path, resource=template)
            elif value is not None and truthy(value) and id(template) not in templates_with_eip:
                yield Finding(
                    "PublicIp::associatePublicIpAddress",
                    f"networkInterfaces[{index}].associatePublicIpAddress",
                    "instances from this template "
                    "get a public address without the Elastic IP opt-in: set it to false, or enable the "
                    "Elastic IP in the stack config.",
                    resource=template,
                )


ec2_public_ip_optin = stack_rule(
    name="lp-ec2-public-ip-only-with-eip-optin",
    description=(
        "Instances get a public address only through the Elastic IP opt-in (an Eip attached to them in "
        "this stack); otherwise associatePublicIpAddress stays false."
    ),
    check=_public_ip,
    config={"allowPublicIp": bool_option(False, "Allow public addresses without an Elastic IP (not recommended).")},
)


# --- lp-ec2-userdata-no-secrets ---------------------------------------------------------------------------------

_SECRET_PATTERNS = {
    "aws-access-key": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "aws-secret-key": re.compile(r"aws_secret_access_key\s*[=:]", re.IGNORECASE),
    "private-key": re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
    "password": re.compile(r"""(?:password|passwd|pwd)\w*["']?\s*[=:]\s*["'][^"'$\s]{4,}["']""", re.IGNORECASE),
    "plaintext-securestring": re.compile(
        r"""ConvertTo-SecureString\s+(?:-String\s+)?["'][^"'$]+["']\s+-AsPlainText""", re.IGNORECASE
    ),
}


def _user_data_text(value: Any, base64_encoded: bool) -> str:
    text = str(value)
    if base64_encoded:
        try:
            return base64.b64decode(text, validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return text
    return text


def _userdata(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    sources = [("userData", res.type == LAUNCH_TEMPLATE), ("userDataBase64", True)]
    for prop, encoded in sources:
        value = res.props.get(prop)
        if value is None:
            continue
        if is_unknown(value):
            yield Undecided(value.path)
            continue
        text = _user_data_text(value, encoded)
        for kind, pattern in _SECRET_PATTERNS.items():
            if pattern.search(text):
                yield Finding(
                    f"UserData::{kind}",
                    prop,
                    f"user data holds what looks like a {kind.replace('-', ' ')}; "
                    "anyone who can describe the instance can read it: fetch it at boot from Secrets "
                    "Manager or SSM Parameter Store with the instance role.",
                )


ec2_userdata_no_secrets = resource_rule(
    name="lp-ec2-userdata-no-secrets",
    description=(
        "User data carries no credentials (keys, passwords, private keys): fetch them at boot from Secrets "
        "Manager or SSM with the instance role."
    ),
    types={INSTANCE, LAUNCH_TEMPLATE},
    check=_userdata,
)


# --- lp-env-no-plaintext-secrets ---------------------------------------------------------------------------

# A value that is itself a credential, whatever its variable is called (the names are judged by
# lp-ecs-proxy-hardening): anyone who may read the function or task definition reads it.
_SECRET_VALUES = {
    "aws-access-key": re.compile(r"^(AKIA|ASIA)[0-9A-Z]{16}$"),
    "aws-secret-key": re.compile(r"^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[A-Za-z0-9/+]{40}$"),  # not a hex digest
    "private-key": _SECRET_PATTERNS["private-key"],
    "connection-string-password": re.compile(r"^[a-z][a-z0-9+.-]*://[^:/@\s]+:[^@/\s$]{3,}@", re.IGNORECASE),
    "github-token": re.compile(r"^(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})$"),
    "slack-token": re.compile(r"^xox[abpr]-[A-Za-z0-9-]{10,}$"),
    "jwt": re.compile(r"^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}$"),
}


def _secret_kind(value: str) -> str | None:
    text = value.strip()
    for kind, pattern in _SECRET_VALUES.items():
        if pattern.search(text):
            return kind
    return None


def _environment_values(res: Res) -> Iterator[tuple[str, str, Any] | Item]:
    """(where, name, value) of every plain environment variable the resource declares."""
    if res.type == FUNCTION:
        variables = get(res.props, "environment", "variables")
        if is_unknown(variables):
            yield Undecided(variables.path)
            return
        for name, value in (variables or {}).items():
            yield f"environment.variables.{name}", name, value
        return
    document = res.props.get("containerDefinitions")
    if is_unknown(document):
        yield Undecided(document.path)
        return
    try:
        # A value computed inside the document arrives as the SDK's sentinel string.
        containers = plain(json.loads(document), "containerDefinitions") if isinstance(document, str) else document
    except json.JSONDecodeError:
        return  # lp-ecs-proxy-hardening reports the invalid document
    for index, container in enumerate(as_list(containers)):
        if not isinstance(container, dict):
            continue
        for variable in as_list(container.get("environment")):
            if isinstance(variable, dict):
                where = f"containerDefinitions[{container.get('name') or index}].environment"
                yield where, str(variable.get("name", "")), variable.get("value")


def _env_secrets(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    for entry in _environment_values(res):
        if not isinstance(entry, tuple):
            yield entry
            continue
        where, name, value = entry
        if is_unknown(value):
            yield Undecided(value.path or f"{where}.{name}", "a computed value could be a credential")
            continue
        kind = _secret_kind(str(value)) if isinstance(value, str) else None
        if kind:
            yield Finding(
                f"Environment::{name}",
                where,
                f"{name} holds what looks like a {kind.replace('-', ' ')} in "
                "plain text, readable by anyone who can read the configuration: keep it in Secrets "
                "Manager and pass its ARN (or ECS secrets / the Parameters and Secrets extension).",
            )


env_no_plaintext_secrets = resource_rule(
    name="lp-env-no-plaintext-secrets",
    description=(
        "Lambda and ECS environment values hold no credentials (access keys, private keys, tokens, "
        "passwords in connection strings): pass a Secrets Manager ARN and read it at run time."
    ),
    types={FUNCTION, TASK_DEFINITION},
    check=_env_secrets,
    severity=Severity.CRITICAL,
)

RULES = [
    lambda_permission_scoped,
    lambda_url_auth,
    lambda_in_vpc,
    lambda_runtime_supported,
    ecs_proxy_hardening,
    ecr_scan_on_push,
    ec2_imdsv2,
    ebs_encrypted,
    ec2_public_ip_optin,
    ec2_userdata_no_secrets,
    env_no_plaintext_secrets,
]
