"""Port of pulumi/pulumi-policy@805bcbcd tests/integration/resource_options/program/index.ts."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "common"))  # the shared stand-ins

import conformance_resources as random
import pulumi
from conformance_resources import Resource

scenario = pulumi.Config().require_int("scenario")
Opts = pulumi.ResourceOptions

Resource("empty")
random.RandomUuid("uuid")
# Protected only in scenario 1 (the others prepare the stack for destroy).
Resource("protect", opts=Opts(protect=scenario == 1))
Resource("ignoreChanges", opts=Opts(ignore_changes=["foo", "bar"]))
Resource("deleteBeforeReplaceNotSet")
Resource("deleteBeforeReplaceTrue", opts=Opts(delete_before_replace=True))
Resource("deleteBeforeReplaceFalse", opts=Opts(delete_before_replace=False))
Resource("aliased", opts=Opts(aliases=[pulumi.Alias(name="old-name-for-aliased")]))
Resource("timeouts", opts=Opts(custom_timeouts=pulumi.CustomTimeouts(create="1m", update="2m", delete="3m")))
Resource("timeouts-create", opts=Opts(custom_timeouts=pulumi.CustomTimeouts(create="4m")))
Resource("timeouts-update", opts=Opts(custom_timeouts=pulumi.CustomTimeouts(update="5m")))
Resource("timeouts-delete", opts=Opts(custom_timeouts=pulumi.CustomTimeouts(delete="6m")))
Resource("secrets", opts=Opts(additional_secret_outputs=["foo"]))
parent = Resource("parent-res")
Resource("child-res", opts=Opts(parent=parent))
