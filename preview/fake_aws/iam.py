"""IAM (global): roles, policies, instance profiles, users, service-linked roles, and the IAM
invokes (policy documents rendered as the provider renders them)."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from .registry import PARTITION, UPPER_ALNUM, Ctx, InvokeCtx, aws_invoke, aws_type, chars

if TYPE_CHECKING:
    from .mocks import FakeAws


@aws_type("aws:iam/role:Role", name="name", max_name=64, global_=True)
def _iam_role(c: Ctx):
    path = c.get("path", "/")
    return c.physical_name, {
        "arn": c.arn("iam", f"role{path}{c.physical_name}", regional=False),
        "uniqueId": "AROA" + c.upper(17),
        "createDate": "2024-01-01T00:00:00Z",
    }


@aws_type("aws:iam/policy:Policy", name="name", max_name=128, global_=True)
def _iam_policy(c: Ctx):
    arn = c.arn("iam", f"policy{c.get('path', '/')}{c.physical_name}", regional=False)
    return arn, {"arn": arn, "policyId": "ANPA" + c.upper(17), "attachmentCount": 0}


@aws_type("aws:iam/rolePolicy:RolePolicy", name="name", max_name=128, global_=True)
def _iam_role_policy(c: Ctx):
    return f"{c.get('role')}:{c.physical_name}", {}


@aws_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment", global_=True)
def _iam_role_policy_attachment(c: Ctx):
    return f"{c.get('role')}-{c.hex(26)}", {}


@aws_type("aws:iam/instanceProfile:InstanceProfile", name="name", max_name=128, global_=True)
def _iam_instance_profile(c: Ctx):
    path = c.get("path", "/")
    return c.physical_name, {
        "arn": c.arn("iam", f"instance-profile{path}{c.physical_name}", regional=False),
        "uniqueId": "AIPA" + c.upper(17),
    }


@aws_type("aws:iam/user:User", name="name", global_=True)
def _iam_user(c: Ctx):
    return c.physical_name, {
        "arn": c.arn("iam", f"user/{c.physical_name}", regional=False),
        "uniqueId": "AIDA" + c.upper(17),
    }


@aws_type("aws:iam/serviceLinkedRole:ServiceLinkedRole", global_=True)
def _iam_slr(c: Ctx):
    service = c.get("awsServiceName", "service.amazonaws.com")
    role = "AWSServiceRoleFor" + service.split(".")[0].capitalize()
    arn = c.arn("iam", f"role/aws-service-role/{service}/{role}", regional=False)
    return arn, {"arn": arn, "name": role, "uniqueId": "AROA" + c.upper(17)}


def _render_policy_document(args: dict) -> str:
    def one_or_list(values):
        values = list(values or [])
        return values[0] if len(values) == 1 else values

    statements = []
    for source in args.get("sourcePolicyDocuments") or []:
        statements.extend(json.loads(source).get("Statement", []))
    for s in args.get("statements") or []:
        out: dict[str, Any] = {}
        if s.get("sid"):
            out["Sid"] = s["sid"]
        out["Effect"] = s.get("effect") or "Allow"
        for key, name in (
            ("actions", "Action"),
            ("notActions", "NotAction"),
            ("resources", "Resource"),
            ("notResources", "NotResource"),
        ):
            if s.get(key):
                out[name] = one_or_list(s[key])
        for key, name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if s.get(key):
                principal: dict[str, Any] = {}
                for p in s[key]:
                    ids = list(p.get("identifiers") or [])
                    if p.get("type") == "*" and ids == ["*"]:
                        principal = "*"  # type: ignore[assignment]
                        break
                    existing = principal.setdefault(p.get("type"), [])
                    existing.extend(ids)
                if isinstance(principal, dict):
                    principal = {k: one_or_list(v) for k, v in principal.items()}
                out[name] = principal
        if s.get("conditions"):
            condition: dict[str, dict] = {}
            for cond in s["conditions"]:
                condition.setdefault(cond["test"], {})[cond["variable"]] = one_or_list(cond.get("values"))
            out["Condition"] = condition
        statements = [st for st in statements if not (out.get("Sid") and st.get("Sid") == out["Sid"])]
        statements.append(out)
    for override in args.get("overridePolicyDocuments") or []:
        for st in json.loads(override).get("Statement", []):
            statements = [x for x in statements if not (st.get("Sid") and x.get("Sid") == st.get("Sid"))]
            statements.append(st)
    document: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    document["Statement"] = statements
    return json.dumps(document, indent=2)


@aws_invoke("aws:iam/getPolicyDocument:getPolicyDocument")
def _get_policy_document(fake: FakeAws, i: InvokeCtx) -> dict:
    rendered = _render_policy_document(i.args)
    return {
        "json": rendered,
        "minifiedJson": json.dumps(json.loads(rendered), separators=(",", ":")),
        "id": str(int(hashlib.sha256(rendered.encode()).hexdigest()[:8], 16)),
    }


@aws_invoke("aws:iam/getPolicy:getPolicy")
def _get_iam_policy(fake: FakeAws, i: InvokeCtx) -> dict:
    arn = i.args.get("arn")
    name = i.args.get("name") or (arn.split("/")[-1] if arn else "Policy")
    path = i.args.get("pathPrefix") or "/"
    if not arn:
        owner = "aws" if name.startswith(("AWS", "Amazon")) or "Access" in name else i.account
        arn = f"arn:{PARTITION}:iam::{owner}:policy{path}{name}"
    return {
        "arn": arn,
        "name": name,
        "path": path,
        "id": arn,
        "policyId": "ANPA" + chars(arn, 17, UPPER_ALNUM),
        "description": "",
        "attachmentCount": 1,
        "tags": {},
        "policy": json.dumps({"Version": "2012-10-17", "Statement": []}),
    }


@aws_invoke("aws:iam/getRole:getRole")
def _get_iam_role(fake: FakeAws, i: InvokeCtx) -> dict:
    name = i.args.get("name", "role")
    return {
        "name": name,
        "id": name,
        "arn": f"arn:{PARTITION}:iam::{i.account}:role/{name}",
        "path": "/",
        "uniqueId": "AROA" + chars(name, 17, UPPER_ALNUM),
        "assumeRolePolicy": "{}",
    }
