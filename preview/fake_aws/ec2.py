"""EC2 and VPC: networks, subnets, routes, gateways, security groups, ENIs, VPC endpoints and
endpoint services, launch templates, instances, AMIs, transit gateways, and their invokes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .registry import PARTITION, Ctx, InvokeCtx, availability_zones, aws_invoke, aws_type

if TYPE_CHECKING:
    from .mocks import FakeAws


@aws_type("aws:ec2/vpc:Vpc")
def _vpc(c: Ctx):
    vid = c.ec2_id("vpc")
    return vid, {
        "arn": c.arn("ec2", f"vpc/{vid}"),
        "ownerId": c.account,
        "cidrBlock": c.get("cidrBlock", "10.0.0.0/16"),
        "defaultSecurityGroupId": c.ec2_id("sg", "default"),
        "defaultRouteTableId": c.ec2_id("rtb", "main"),
        "mainRouteTableId": c.ec2_id("rtb", "main"),
        "defaultNetworkAclId": c.ec2_id("acl"),
        "dhcpOptionsId": c.ec2_id("dopt"),
        "enableDnsSupport": c.get("enableDnsSupport", True),
    }


@aws_type("aws:ec2/subnet:Subnet")
def _subnet(c: Ctx):
    sid = c.ec2_id("subnet")
    names, zone_ids = availability_zones(c.region)
    az = c.get("availabilityZone") or names[int(c.hex(4, "az"), 16) % len(names)]
    az_id = zone_ids[names.index(az)] if az in names else c.get("availabilityZoneId", zone_ids[0])
    cidr = c.get("cidrBlock")
    c.fake._subnets[sid] = {"cidr": cidr, "vpcId": c.get("vpcId"), "az": az, "region": c.region}
    return sid, {
        "arn": c.arn("ec2", f"subnet/{sid}"),
        "ownerId": c.account,
        "availabilityZone": az,
        "availabilityZoneId": az_id,
    }


@aws_type("aws:ec2/routeTable:RouteTable")
def _route_table(c: Ctx):
    rid = c.ec2_id("rtb")
    return rid, {"arn": c.arn("ec2", f"route-table/{rid}"), "ownerId": c.account}


@aws_type("aws:ec2/route:Route")
def _route(c: Ctx):
    dest = c.get("destinationCidrBlock", "0.0.0.0/0")
    return f"r-{c.get('routeTableId', c.ec2_id('rtb'))}{int(c.hex(8), 16) % 10**10}", {
        "destinationCidrBlock": dest,
        "origin": "CreateRoute",
        "state": "active",
    }


@aws_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
def _rta(c: Ctx):
    return c.ec2_id("rtbassoc"), {}


@aws_type("aws:ec2/internetGateway:InternetGateway")
def _igw(c: Ctx):
    gid = c.ec2_id("igw")
    return gid, {"arn": c.arn("ec2", f"internet-gateway/{gid}"), "ownerId": c.account}


@aws_type("aws:ec2/natGateway:NatGateway")
def _nat(c: Ctx):
    nid = c.ec2_id("nat")
    subnet = c.fake._subnets.get(c.get("subnetId"), {})
    return nid, {
        "networkInterfaceId": c.ec2_id("eni"),
        "privateIp": c.ip_in(subnet.get("cidr")),
        "publicIp": c.fake._public_ip(c.seed),
        "allocationId": c.get("allocationId"),
        "connectivityType": c.get("connectivityType", "public"),
    }


@aws_type("aws:ec2/eip:Eip")
def _eip(c: Ctx):
    alloc = c.ec2_id("eipalloc")
    ip = c.fake._public_ip(c.seed)
    return alloc, {
        "allocationId": alloc,
        "publicIp": ip,
        "domain": c.get("domain", "vpc"),
        "publicDns": f"ec2-{ip.replace('.', '-')}.{_ec2_dns_suffix(c.region)}",
        "arn": c.arn("ec2", f"elastic-ip/{alloc}"),
        "associationId": (c.ec2_id("eipassoc") if c.get("instance") or c.get("networkInterface") else None),
    }


@aws_type("aws:ec2/eipAssociation:EipAssociation")
def _eip_assoc(c: Ctx):
    return c.ec2_id("eipassoc"), {}


@aws_type("aws:ec2/securityGroup:SecurityGroup", name="name", max_name=255)
def _security_group(c: Ctx):
    gid = c.ec2_id("sg")
    return gid, {
        "arn": c.arn("ec2", f"security-group/{gid}"),
        "ownerId": c.account,
        "description": c.get("description", "Managed by Pulumi"),
    }


@aws_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
def _sg_ingress(c: Ctx):
    rid = c.ec2_id("sgr")
    return rid, {"arn": c.arn("ec2", f"security-group-rule/{rid}"), "securityGroupRuleId": rid}


@aws_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
def _sg_egress(c: Ctx):
    return _sg_ingress(c)


@aws_type("aws:ec2/securityGroupRule:SecurityGroupRule")
def _sg_rule(c: Ctx):
    rid = c.ec2_id("sgr")
    return f"sgrule-{int(c.hex(8), 16)}", {"securityGroupRuleId": rid}


@aws_type("aws:ec2/networkInterface:NetworkInterface")
def _eni(c: Ctx):
    eid = c.ec2_id("eni")
    subnet = c.fake._subnets.get(c.get("subnetId"), {})
    ip = c.ip_in(subnet.get("cidr"))
    c.fake._enis[eid] = {
        "subnetId": c.get("subnetId"),
        "privateIp": ip,
        "vpcId": subnet.get("vpcId"),
        "az": subnet.get("az"),
    }
    return eid, {
        "arn": c.arn("ec2", f"network-interface/{eid}"),
        "privateIp": ip,
        "privateIps": [ip],
        "macAddress": _mac(c),
        "ownerId": c.account,
    }


@aws_type("aws:ec2/vpcEndpoint:VpcEndpoint")
def _vpc_endpoint(c: Ctx):
    vid = c.ec2_id("vpce")
    service = c.get("serviceName", f"com.amazonaws.{c.region}.execute-api")
    endpoint_type = c.get("vpcEndpointType", "Gateway")
    subnet_ids = c.get("subnetIds", []) or []
    enis = []
    for index, subnet_id in enumerate(subnet_ids):
        eni = c.ec2_id("eni", f"eni{index}")
        subnet = c.fake._subnets.get(subnet_id, {})
        c.fake._enis[eni] = {
            "subnetId": subnet_id,
            "vpcId": c.get("vpcId"),
            "az": subnet.get("az"),
            "privateIp": c.ip_in(subnet.get("cidr"), f"eni{index}"),
        }
        enis.append(eni)
    short = service.split(".")[-1]
    dns_entries = []
    if endpoint_type == "Interface":
        zone = "Z" + c.upper(13, "vpcezone")
        base = f"{vid}-{c.lower(8, 'dns')}.{short}.{c.region}.vpce.amazonaws.com"
        dns_entries.append({"dnsName": base, "hostedZoneId": zone})
        names, _ = availability_zones(c.region)
        for subnet_id in subnet_ids:
            az = c.fake._subnets.get(subnet_id, {}).get("az") or names[0]
            dns_entries.append(
                {
                    "dnsName": f"{vid}-{c.lower(8, 'dns')}-{az}.{short}.{c.region}.vpce.amazonaws.com",
                    "hostedZoneId": zone,
                }
            )
        if c.get("privateDnsEnabled"):
            dns_entries.append(
                {"dnsName": f"{short}.{c.region}.amazonaws.com", "hostedZoneId": "Z" + c.upper(13, "pz")}
            )
    return vid, {
        "arn": c.arn("ec2", f"vpc-endpoint/{vid}"),
        "ownerId": c.account,
        "state": "available",
        "serviceName": service,
        "vpcEndpointType": endpoint_type,
        "networkInterfaceIds": enis,
        "dnsEntries": dns_entries,
        "prefixListId": c.ec2_id("pl") if endpoint_type == "Gateway" else None,
        "requesterManaged": False,
    }


@aws_type("aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy")
def _vpce_policy(c: Ctx):
    return c.get("vpcEndpointId", c.ec2_id("vpce")), {}


@aws_type("aws:ec2/vpcEndpointService:VpcEndpointService")
def _vpce_service(c: Ctx):
    sid = c.ec2_id("vpce-svc")
    return sid, {
        "arn": c.arn("ec2", f"vpc-endpoint-service/{sid}"),
        "serviceName": f"com.amazonaws.vpce.{c.region}.{sid}",
        "serviceType": "Interface",
        "state": "Available",
        "baseEndpointDnsNames": [f"{sid}.{c.region}.vpce.amazonaws.com"],
        "availabilityZones": availability_zones(c.region)[0][:2],
        "managesVpcEndpoints": False,
        "privateDnsNameConfigurations": [],
    }


@aws_type("aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple")
def _vpce_allowed(c: Ctx):
    return c.ec2_id("vpce-svc-perm"), {}


def _launch_templates(fake: FakeAws) -> dict[str, dict]:
    # Template inputs by ID, so an instance launched from a template gets its subnet and public IP.
    return vars(fake).setdefault("_launch_templates", {})


@aws_type("aws:ec2/launchTemplate:LaunchTemplate", name="name", max_name=128)
def _launch_template(c: Ctx):
    lid = c.ec2_id("lt")
    _launch_templates(c.fake)[lid] = c.inputs
    return lid, {"arn": c.arn("ec2", f"launch-template/{lid}"), "latestVersion": 1, "defaultVersion": 1}


@aws_type("aws:ec2/instance:Instance")
def _instance(c: Ctx):
    iid = c.ec2_id("i")
    template = _launch_templates(c.fake).get((c.get("launchTemplate") or {}).get("id"), {})
    nic = (template.get("networkInterfaces") or [{}])[0]
    subnet_id = c.get("subnetId") or nic.get("subnetId") or next(iter(c.fake._subnets), None)
    subnet = c.fake._subnets.get(subnet_id, {})
    ip = c.ip_in(subnet.get("cidr"))
    public = c.get("associatePublicIpAddress")
    if public is None:  # launch template values are strings ("true")
        public = str(nic.get("associatePublicIpAddress", "")).lower() == "true"
    public_ip = c.fake._public_ip(c.seed) if public else ""
    names, _ = availability_zones(c.region)
    eni = c.ec2_id("eni")
    c.fake._enis[eni] = {"subnetId": subnet_id, "privateIp": ip, "vpcId": subnet.get("vpcId"), "az": subnet.get("az")}
    return iid, {
        "arn": c.arn("ec2", f"instance/{iid}"),
        "ownerId": c.account,
        "instanceState": "running",
        "availabilityZone": subnet.get("az") or c.get("availabilityZone") or names[0],
        "privateIp": ip,
        "privateDns": f"ip-{ip.replace('.', '-')}.{ec2_internal_suffix(c.region)}",
        "publicIp": public_ip,
        "publicDns": f"ec2-{public_ip.replace('.', '-')}.{_ec2_dns_suffix(c.region)}" if public_ip else "",
        "primaryNetworkInterfaceId": eni,
        "subnetId": subnet_id,
        "ami": c.get("ami") or c.ec2_id("ami", "instance-ami"),
        "passwordData": "ZmFrZS1lbmNyeXB0ZWQtcGFzc3dvcmQ=" if c.get("getPasswordData") else "",
    }


@aws_type("aws:ec2/keyPair:KeyPair", name="keyName", max_name=255)
def _key_pair(c: Ctx):
    return c.physical_name, {
        "arn": c.arn("ec2", f"key-pair/{c.physical_name}"),
        "keyPairId": c.ec2_id("key"),
        "fingerprint": ":".join(c.hex(32)[i : i + 2] for i in range(0, 32, 2)),
    }


@aws_type("aws:ec2/flowLog:FlowLog")
def _flow_log(c: Ctx):
    fid = c.ec2_id("fl")
    return fid, {"arn": c.arn("ec2", f"vpc-flow-log/{fid}")}


@aws_type("aws:ec2/volumeAttachment:VolumeAttachment")
def _volume_attachment(c: Ctx):
    return f"vai-{int(c.hex(8), 16)}", {}


@aws_type("aws:ec2/ami:Ami", name="name")
@aws_type("aws:ec2/amiFromInstance:AmiFromInstance", name="name")
@aws_type("aws:ec2/amiCopy:AmiCopy", name="name")
def _ami(c: Ctx):
    aid = c.ec2_id("ami")
    return aid, {
        "arn": c.arn("ec2", f"image/{aid}", account=False),
        "ownerId": c.account,
        "rootSnapshotId": c.ec2_id("snap"),
    }


@aws_type("aws:ec2transitgateway/transitGateway:TransitGateway")
def _tgw(c: Ctx):
    tid = c.ec2_id("tgw")
    table = c.ec2_id("tgw-rtb", "default")
    return tid, {
        "arn": c.arn("ec2", f"transit-gateway/{tid}"),
        "ownerId": c.account,
        "associationDefaultRouteTableId": table,
        "propagationDefaultRouteTableId": table,
        "amazonSideAsn": c.get("amazonSideAsn", 64512),
    }


@aws_type("aws:ec2transitgateway/vpcAttachment:VpcAttachment")
def _tgw_vpc_attachment(c: Ctx):
    return c.ec2_id("tgw-attach"), {"vpcOwnerId": c.account}


@aws_type("aws:ec2transitgateway/peeringAttachment:PeeringAttachment")
def _tgw_peering(c: Ctx):
    aid = c.ec2_id("tgw-attach")
    return aid, {"arn": c.arn("ec2", f"transit-gateway-attachment/{aid}"), "state": "pendingAcceptance"}


@aws_type("aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter")
def _tgw_peering_accepter(c: Ctx):
    # The accepter side names the same attachment the requester created.
    aid = c.get("transitGatewayAttachmentId") or c.ec2_id("tgw-attach")
    return aid, {"arn": c.arn("ec2", f"transit-gateway-attachment/{aid}")}


@aws_type("aws:ec2transitgateway/route:Route")
def _tgw_route(c: Ctx):
    return f"{c.get('transitGatewayRouteTableId')}_{c.get('destinationCidrBlock')}", {}


def _ec2_dns_suffix(region: str) -> str:
    return "compute-1.amazonaws.com" if region == "us-east-1" else f"{region}.compute.amazonaws.com"


def ec2_internal_suffix(region: str) -> str:
    return "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"


def _mac(c: Ctx) -> str:
    h = c.hex(10, "mac")
    return "0e:" + ":".join(h[i : i + 2] for i in range(0, 10, 2))


@aws_invoke("aws:index/getAvailabilityZones:getAvailabilityZones")
def _get_azs(fake: FakeAws, i: InvokeCtx) -> dict:
    names, zone_ids = availability_zones(i.region)
    return {"names": names, "zoneIds": zone_ids, "id": i.region, "groupNames": [i.region], "state": i.args.get("state")}


@aws_invoke("aws:index/getAvailabilityZone:getAvailabilityZone")
def _get_az(fake: FakeAws, i: InvokeCtx) -> dict:
    names, zone_ids = availability_zones(i.region)
    name = i.args.get("name") or names[0]
    zid = zone_ids[names.index(name)] if name in names else zone_ids[0]
    return {
        "name": name,
        "zoneId": zid,
        "region": i.region,
        "nameSuffix": name[-1],
        "state": "available",
        "zoneType": "availability-zone",
        "groupName": i.region,
        "id": name,
    }


# Instance types are not offered in every Availability Zone, GPU types least of all
# (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypeOfferings.html;
# "Unsupported: Your requested instance type is not supported in your requested Availability Zone").
# The zones (by zone ID) each GPU family of the gaming workstation is NOT offered in, per Region:
# shaped like AWS's map (g4ad in fewest zones, use1-az3 without current GPU types), not a copy of it.
# Every other type, and these families in other Regions, are offered in every zone.
_ZONES_WITHOUT = {
    ("us-east-1", "g4dn"): {"use1-az3"},
    ("us-east-1", "g5"): {"use1-az3", "use1-az5"},
    ("us-east-1", "g4ad"): {"use1-az1", "use1-az3", "use1-az5"},
    ("us-west-2", "g5"): {"usw2-az3"},
    ("us-west-2", "g4ad"): {"usw2-az1", "usw2-az3"},
    ("eu-west-1", "g4ad"): {"euw1-az1", "euw1-az3"},
}


@aws_invoke("aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings")
def _get_instance_type_offerings(fake: FakeAws, i: InvokeCtx) -> dict:
    """DescribeInstanceTypeOfferings: one row per (type, location) for the ``instance-type`` and
    ``location`` filters, by Region, zone name or zone ID (``locationType``)."""
    filters = {f.get("name"): list(f.get("values") or []) for f in i.args.get("filters") or []}
    location_type = i.args.get("locationType") or "region"
    types = filters.get("instance-type") or ["t3.micro", "m5.large", "g4dn.xlarge", "g4ad.4xlarge", "g5.xlarge"]
    names, zone_ids = availability_zones(i.region)
    rows = []
    for instance_type in types:
        missing = _ZONES_WITHOUT.get((i.region, instance_type.split(".")[0]), set())
        if location_type == "region":
            rows.append((instance_type, i.region))
            continue
        for name, zone_id in zip(names, zone_ids):
            if zone_id not in missing:
                rows.append((instance_type, name if location_type == "availability-zone" else zone_id))
    if "location" in filters:
        rows = [row for row in rows if row[1] in filters["location"]]
    return {
        "instanceTypes": [t for t, _ in rows],
        "locations": [loc for _, loc in rows],
        "locationTypes": [location_type] * len(rows),
        "id": i.region,
        "filters": i.args.get("filters"),
        "locationType": location_type,
    }


@aws_invoke("aws:ec2/getAmi:getAmi")
def _get_ami(fake: FakeAws, i: InvokeCtx) -> dict:
    ami = f"ami-0{i.hex(16)}"
    filters = {f.get("name"): f.get("values") for f in i.args.get("filters", []) or []}
    name = (filters.get("name") or [i.args.get("nameRegex") or "amzn2-ami-hvm-*"])[0].replace("*", "2024.01.01")
    owners = i.args.get("owners") or ["amazon"]
    windows = "windows" in name.lower()
    return {
        "id": ami,
        "imageId": ami,
        "name": name,
        "architecture": (filters.get("architecture") or ["x86_64"])[0],
        "ownerId": "801119661308" if owners[0] == "amazon" else owners[0],
        "platform": "windows" if windows else "",
        "rootDeviceName": "/dev/sda1" if windows else "/dev/xvda",
        "rootDeviceType": "ebs",
        "virtualizationType": "hvm",
        "state": "available",
        "arn": f"arn:{PARTITION}:ec2:{i.region}::image/{ami}",
        "creationDate": "2024-01-01T00:00:00.000Z",
        "blockDeviceMappings": [],
        "imageOwnerAlias": "amazon" if owners[0] == "amazon" else "",
    }


@aws_invoke("aws:ec2/getAmiIds:getAmiIds")
def _get_ami_ids(fake: FakeAws, i: InvokeCtx) -> dict:
    return {"ids": [f"ami-0{i.hex(16)}"], "id": i.region}


@aws_invoke("aws:ec2/getNetworkInterface:getNetworkInterface")
def _get_eni(fake: FakeAws, i: InvokeCtx) -> dict:
    eni_id = i.args.get("id")
    if not eni_id:
        for f in i.args.get("filters", []) or []:
            if f.get("name") in ("network-interface-id", "network-interface-ids") and f.get("values"):
                eni_id = f["values"][0]
    eni_id = eni_id or f"eni-0{i.hex(16)}"
    known = fake._enis.get(eni_id)
    if known is None:
        known = {
            "privateIp": fake._ip_in(None, eni_id),
            "subnetId": f"subnet-0{i.hex(16, 'subnet')}",
            "vpcId": f"vpc-0{i.hex(16, 'vpc')}",
            "az": availability_zones(i.region)[0][0],
        }
    ip = known["privateIp"]
    return {
        "id": eni_id,
        "privateIp": ip,
        "privateIps": [ip],
        "subnetId": known.get("subnetId"),
        "vpcId": known.get("vpcId"),
        "availabilityZone": known.get("az"),
        "ownerId": i.account,
        "interfaceType": "vpc_endpoint",
        "privateDnsName": f"ip-{ip.replace('.', '-')}.{ec2_internal_suffix(i.region)}",
        "securityGroups": [],
        "tags": {},
        "associations": [],
        "attachments": [],
        "arn": f"arn:{PARTITION}:ec2:{i.region}:{i.account}:network-interface/{eni_id}",
        "macAddress": "0e:" + ":".join(i.hex(10)[k : k + 2] for k in range(0, 10, 2)),
    }


@aws_invoke("aws:ec2/getVpc:getVpc")
def _get_vpc(fake: FakeAws, i: InvokeCtx) -> dict:
    vpc_id = i.args.get("id") or f"vpc-0{i.hex(16)}"
    default = bool(i.args.get("default"))
    return {
        "id": vpc_id,
        "cidrBlock": "172.31.0.0/16" if default else "10.0.0.0/16",
        "default": default,
        "arn": f"arn:{PARTITION}:ec2:{i.region}:{i.account}:vpc/{vpc_id}",
        "ownerId": i.account,
        "state": "available",
        "enableDnsSupport": True,
        "enableDnsHostnames": True,
        "mainRouteTableId": f"rtb-0{i.hex(16, 'rtb')}",
        "tags": {},
    }


@aws_invoke("aws:ec2/getSubnets:getSubnets")
def _get_subnets(fake: FakeAws, i: InvokeCtx) -> dict:
    vpc_ids = []
    for f in i.args.get("filters", []) or []:
        if f.get("name") == "vpc-id":
            vpc_ids.extend(f.get("values") or [])
    ids = [sid for sid, s in fake._subnets.items() if s.get("vpcId") in vpc_ids] if vpc_ids else []
    if not ids:
        ids = [f"subnet-0{i.hex(16, str(n))}" for n in range(3)]
    return {"ids": ids, "id": i.region}


@aws_invoke("aws:ec2/getSubnet:getSubnet")
def _get_subnet(fake: FakeAws, i: InvokeCtx) -> dict:
    sid = i.args.get("id") or f"subnet-0{i.hex(16)}"
    known = fake._subnets.get(sid, {})
    names, _ = availability_zones(i.region)
    return {
        "id": sid,
        "vpcId": known.get("vpcId") or f"vpc-0{i.hex(16, 'vpc')}",
        "cidrBlock": known.get("cidr") or "10.0.0.0/20",
        "availabilityZone": known.get("az") or names[0],
        "arn": f"arn:{PARTITION}:ec2:{i.region}:{i.account}:subnet/{sid}",
        "ownerId": i.account,
        "tags": {},
    }


@aws_invoke("aws:ec2/getSecurityGroup:getSecurityGroup")
def _get_security_group(fake: FakeAws, i: InvokeCtx) -> dict:
    sg = i.args.get("id") or f"sg-0{i.hex(16)}"
    return {
        "id": sg,
        "name": i.args.get("name") or "default",
        "vpcId": i.args.get("vpcId") or f"vpc-0{i.hex(16, 'vpc')}",
        "arn": f"arn:{PARTITION}:ec2:{i.region}:{i.account}:security-group/{sg}",
        "description": "",
        "tags": {},
    }


@aws_invoke("aws:ec2/getVpcEndpointService:getVpcEndpointService")
def _get_vpce_service(fake: FakeAws, i: InvokeCtx) -> dict:
    service = i.args.get("service") or "execute-api"
    name = i.args.get("serviceName") or f"com.amazonaws.{i.region}.{service}"
    return {
        "id": name,
        "serviceName": name,
        "serviceType": "Interface",
        "service": service,
        "availabilityZones": availability_zones(i.region)[0],
        "baseEndpointDnsNames": [f"{service}.{i.region}.vpce.amazonaws.com"],
        "privateDnsName": f"*.{service}.{i.region}.amazonaws.com",
        "serviceId": f"vpce-svc-0{i.hex(16)}",
        "owner": "amazon",
        "acceptanceRequired": False,
        "managesVpcEndpoints": False,
        "tags": {},
        "vpcEndpointPolicySupported": True,
        "arn": "",
    }


@aws_invoke("aws:ec2/getPrefixList:getPrefixList")
def _get_prefix_list(fake: FakeAws, i: InvokeCtx) -> dict:
    return {
        "id": f"pl-{i.hex(8)}",
        "name": i.args.get("name") or f"com.amazonaws.{i.region}.s3",
        "cidrBlocks": ["52.216.0.0/15"],
    }


@aws_invoke("aws:ec2/getManagedPrefixList:getManagedPrefixList")
def _get_managed_prefix_list(fake: FakeAws, i: InvokeCtx) -> dict:
    pid = i.args.get("id") or f"pl-{i.hex(8)}"
    return {
        "id": pid,
        "name": i.args.get("name") or "prefix-list",
        "entries": [],
        "maxEntries": 100,
        "arn": f"arn:{PARTITION}:ec2:{i.region}:{i.account}:prefix-list/{pid}",
        "addressFamily": "IPv4",
    }
