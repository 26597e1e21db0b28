"""The ``LeasingPlatform`` component: builds its parts in order, per Region, and registers its outputs."""

from __future__ import annotations

import pulumi

from components.leasing.api import ApiPart
from components.leasing.args import LeasingPlatformArgs
from components.leasing.base import LeasingSite
from components.leasing.database import DatabasePart
from components.leasing.events import EventsPart
from components.leasing.functions import FunctionsPart
from components.leasing.keys_and_alarms import KeysAndAlarmsPart
from components.leasing.network import NetworkPart
from components.leasing.rotation import RotationPart
from components.providers import account_id


class LeasingPlatform(RotationPart, FunctionsPart, DatabasePart, EventsPart, KeysAndAlarmsPart, NetworkPart, ApiPart):
    """Architecture C, database side (see the package's docstring). Each part's module builds one area;
    a part that calls another's helpers derives from it (the functions call the database's connection
    helpers and the event targets; the rotation builds a function), so they are listed derived first."""

    def __init__(self, name: str, args: LeasingPlatformArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:leasing:LeasingPlatform", name, None, opts)
        self.args = args
        self.name = name
        stack = pulumi.get_stack()
        self.identifier = f"{name}-{stack}".lower()[:40]
        self.account_id = account_id(args.primary_provider)

        self.sites: dict[str, LeasingSite] = {
            args.primary_region: LeasingSite(args.primary_region, args.primary_provider, args.vpc_cidrs[0], True)
        }
        if args.multi_region:
            self.sites[args.secondary_region] = LeasingSite(
                args.secondary_region, args.secondary_provider, args.vpc_cidrs[1], False
            )
        self.primary = self.sites[args.primary_region]

        for site in self.sites.values():
            self._network(site)
            self._key(site)
            self._alarm_topic(site)
        if args.multi_region:
            self._peer_vpcs()
            self._cross_region_events()
        for site in self.sites.values():
            self._security_groups(site)
        self._database()
        if args.rds_proxy:
            for site in self.sites.values():
                self._proxy(site)
        if args.global_database:
            self._private_zone()  # the writer record the failover function moves
        for site in self.sites.values():
            self._bus(site)  # every Region's bus first: each relay puts to all of them
        for site in self.sites.values():
            self._functions(site)
            self._api(site)
            if args.global_database:
                self._failover(site)
        self._migrations()
        if args.master_secret_rotation_days:
            self._master_secret_rotation()
        if args.api_domain_name:
            self._custom_domain()

        outputs = {
            "apiUrls": {region: site.stage.invoke_url for region, site in self.sites.items()},
            "busNames": {region: site.bus.name for region, site in self.sites.items()},
            "databaseEndpoints": {region: self._database_host(site) for region, site in self.sites.items()},
        }
        if self.global_cluster is not None:
            outputs.update(
                globalClusterId=self.global_cluster.id,
                writerRecord=self.writer_fqdn,
                privateZoneId=self.private_zone.zone_id,
            )
        if args.api_domain_name:
            outputs["apiDomain"] = f"https://{args.api_domain_name}"
        self.outputs = outputs
        self.register_outputs(outputs)
