"""Keys, secrets and certificates: KMS, Secrets Manager, SSM parameters, ACM, ACM PCA, WAFv2."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .registry import ALNUM, PARTITION, Ctx, InvokeCtx, aws_invoke, aws_type, chars, seeded_uuid

if TYPE_CHECKING:
    from .mocks import FakeAws


@aws_type("aws:kms/key:Key")
def _kms_key(c: Ctx):
    key_id = c.uuid()
    return key_id, {
        "arn": c.arn("kms", f"key/{key_id}"),
        "keyId": key_id,
        "keyUsage": c.get("keyUsage", "ENCRYPT_DECRYPT"),
    }


@aws_type("aws:kms/replicaKey:ReplicaKey")
def _kms_replica_key(c: Ctx):
    return _kms_key(c)


@aws_type("aws:kms/alias:Alias", name="name", max_name=256)
def _kms_alias(c: Ctx):
    name = c.physical_name if c.physical_name.startswith("alias/") else f"alias/{c.physical_name}"
    target = c.get("targetKeyId", "")
    target_arn = target if str(target).startswith("arn:") else c.arn("kms", f"key/{target}")
    return name, {"arn": c.arn("kms", name), "name": name, "targetKeyArn": target_arn}


@aws_type("aws:secretsmanager/secret:Secret", name="name", max_name=512)
def _secret(c: Ctx):
    arn = c.arn("secretsmanager", f"secret:{c.physical_name}-{c.alnum(6)}")
    return arn, {"arn": arn}


@aws_type("aws:secretsmanager/secretVersion:SecretVersion")
def _secret_version(c: Ctx):
    version = c.uuid()
    secret = c.get("secretId", c.arn("secretsmanager", "secret:s"))
    return f"{secret}|{version}", {"arn": secret, "versionId": version, "versionStages": ["AWSCURRENT"]}


@aws_type("aws:secretsmanager/secretPolicy:SecretPolicy")
def _secret_policy(c: Ctx):
    return c.get("secretArn", c.name), {}


@aws_type("aws:secretsmanager/secretRotation:SecretRotation")
def _secret_rotation(c: Ctx):
    return c.get("secretId", c.name), {"rotationEnabled": True}


@aws_type("aws:ssm/parameter:Parameter", name="name", max_name=2048)
def _ssm_parameter(c: Ctx):
    name = c.physical_name
    c.fake._ssm_values[name] = c.get("value") or c.get("insecureValue")
    return name, {
        "arn": c.arn("ssm", f"parameter/{name.lstrip('/')}"),
        "version": 1,
        "tier": c.get("tier", "Standard"),
        "dataType": c.get("dataType", "text"),
    }


@aws_type("aws:acm/certificate:Certificate")
def _acm_certificate(c: Ctx):
    arn = c.arn("acm", f"certificate/{c.uuid()}")
    domains = [c.get("domainName")] + list(c.get("subjectAlternativeNames", []) or [])
    imported = c.get("certificateBody") is not None
    options = (
        []
        if imported
        else [
            {
                "domainName": d,
                "resourceRecordName": f"_{c.hex(32, d)}.{d}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{c.hex(32, d + 'v')}.{c.lower(10, d)}.acm-validations.aws.",
            }
            for d in domains
            if d
        ]
    )
    return arn, {
        "arn": arn,
        "domainValidationOptions": options,
        "status": "ISSUED",
        "type": "IMPORTED" if imported else "AMAZON_ISSUED",
        "notAfter": "2026-01-01T00:00:00Z",
        "notBefore": "2025-01-01T00:00:00Z",
    }


@aws_type("aws:acm/certificateValidation:CertificateValidation")
def _acm_validation(c: Ctx):
    return "2024-01-01 00:00:00 +0000 UTC", {}


@aws_type("aws:acmpca/certificateAuthority:CertificateAuthority")
def _acmpca(c: Ctx):
    arn = c.arn("acm-pca", f"certificate-authority/{c.uuid()}")
    return arn, {"arn": arn, "status": "ACTIVE"}


@aws_type("aws:wafv2/webAcl:WebAcl", name="name", max_name=128)
def _waf_acl(c: Ctx):
    wid = c.uuid()
    scope = "global" if c.get("scope") == "CLOUDFRONT" else "regional"
    return wid, {"arn": c.arn("wafv2", f"{scope}/webacl/{c.physical_name}/{wid}"), "capacity": 50}


@aws_invoke("aws:ssm/getParameter:getParameter")
def _get_parameter(fake: FakeAws, i: InvokeCtx) -> dict:
    name = str(i.args.get("name", ""))
    if name.startswith("/aws/service/") and "ami" in name:
        value = f"ami-0{i.hex(16)}"
    elif name in fake._ssm_values and fake._ssm_values[name] is not None:
        value = fake._ssm_values[name]
    else:
        value = f"fake-value-for-{name.strip('/').replace('/', '-')}"
    arn_name = name.lstrip("/")
    account = "" if name.startswith("/aws/service/") else i.account
    return {
        "name": name,
        "value": value,
        "insecureValue": value,
        "type": "String",
        "version": 1,
        "arn": f"arn:{PARTITION}:ssm:{i.region}:{account}:parameter/{arn_name}",
        "id": name,
        "withDecryption": i.args.get("withDecryption", True),
    }


@aws_invoke("aws:acm/getCertificate:getCertificate")
def _get_certificate(fake: FakeAws, i: InvokeCtx) -> dict:
    domain = i.args.get("domain", "example.com")
    arn = f"arn:{PARTITION}:acm:{i.region}:{i.account}:certificate/{seeded_uuid(i.seed)}"
    return {
        "arn": arn,
        "id": arn,
        "domain": domain,
        "status": "ISSUED",
        "type": "AMAZON_ISSUED",
        "keyTypes": ["RSA_2048"],
        "certificate": "",
        "certificateChain": "",
        "tags": {},
    }


@aws_invoke("aws:kms/getKey:getKey")
def _get_kms_key(fake: FakeAws, i: InvokeCtx) -> dict:
    key_id = str(i.args.get("keyId", seeded_uuid(i.seed)))
    arn = (
        key_id if key_id.startswith("arn:") else f"arn:{PARTITION}:kms:{i.region}:{i.account}:key/{seeded_uuid(key_id)}"
    )
    return {"id": arn.split("/")[-1], "arn": arn, "keyId": key_id, "enabled": True, "keyState": "Enabled"}


@aws_invoke("aws:secretsmanager/getSecret:getSecret")
def _get_secret(fake: FakeAws, i: InvokeCtx) -> dict:
    name = i.args.get("name") or "secret"
    arn = (
        i.args.get("arn")
        or f"arn:{PARTITION}:secretsmanager:{i.region}:{i.account}:secret:{name}-{chars(i.seed, 6, ALNUM)}"
    )
    return {"arn": arn, "id": arn, "name": name, "description": "", "tags": {}}
