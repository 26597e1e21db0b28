"""CloudWatch alarms and dashboards, EventBridge (the ``cloudwatch`` module of pulumi-aws), and
CloudWatch Logs."""

from __future__ import annotations

from .registry import Ctx, aws_type


@aws_type("aws:cloudwatch/logGroup:LogGroup", name="name", max_name=512)
def _log_group(c: Ctx):
    return c.physical_name, {"arn": c.arn("logs", f"log-group:{c.physical_name}")}


@aws_type("aws:cloudwatch/metricAlarm:MetricAlarm", name="name", max_name=255)
def _metric_alarm(c: Ctx):
    return c.physical_name, {"arn": c.arn("cloudwatch", f"alarm:{c.physical_name}")}


@aws_type("aws:cloudwatch/compositeAlarm:CompositeAlarm", name="alarmName", max_name=255)
def _composite_alarm(c: Ctx):
    return c.physical_name, {"arn": c.arn("cloudwatch", f"alarm:{c.physical_name}")}


@aws_type("aws:cloudwatch/dashboard:Dashboard", name="dashboardName", global_=True)
def _dashboard(c: Ctx):
    return c.physical_name, {"dashboardArn": c.arn("cloudwatch", f"dashboard/{c.physical_name}", regional=False)}


@aws_type("aws:cloudwatch/eventBus:EventBus", name="name", max_name=256)
def _event_bus(c: Ctx):
    return c.physical_name, {"arn": c.arn("events", f"event-bus/{c.physical_name}")}


@aws_type("aws:cloudwatch/eventRule:EventRule", name="name", max_name=64)
def _event_rule(c: Ctx):
    bus = c.get("eventBusName", "default")
    bus_name = bus.split("/")[-1] if bus.startswith("arn:") else bus
    path = c.physical_name if bus_name == "default" else f"{bus_name}/{c.physical_name}"
    return path, {"arn": c.arn("events", f"rule/{path}"), "eventBusName": bus}


@aws_type("aws:cloudwatch/eventTarget:EventTarget")
def _event_target(c: Ctx):
    target_id = c.get("targetId") or f"terraform-{c.hex(26)}"
    bus = c.get("eventBusName", "default")
    rule = c.get("rule", "rule")
    prefix = "" if bus == "default" else f"{bus}-"
    return f"{prefix}{rule}-{target_id}", {"targetId": target_id}


@aws_type("aws:cloudwatch/eventArchive:EventArchive", name="name", max_name=48)
def _event_archive(c: Ctx):
    return c.physical_name, {"arn": c.arn("events", f"archive/{c.physical_name}")}


@aws_type("aws:cloudwatch/eventEndpoint:EventEndpoint", name="name", max_name=64)
def _event_endpoint(c: Ctx):
    # Global endpoints live in the primary Region; the URL carries a random endpoint id.
    endpoint_id = f"{c.lower(10, 'ep')}.{c.lower(3, 'ep2')}"
    return c.physical_name, {
        "arn": c.arn("events", f"endpoint/{c.physical_name}"),
        "endpointUrl": f"https://{endpoint_id}.endpoint.events.amazonaws.com",
    }


@aws_type("aws:cloudwatch/eventBusPolicy:EventBusPolicy")
def _event_bus_policy(c: Ctx):
    return c.get("eventBusName", "default"), {}


@aws_type("aws:cloudwatch/eventPermission:EventPermission")
def _event_permission(c: Ctx):
    return f"{c.get('eventBusName', 'default')}/{c.get('statementId', c.name)}", {}


@aws_type("aws:cloudwatch/eventConnection:EventConnection", name="name", max_name=64)
def _event_connection(c: Ctx):
    return c.physical_name, {
        "arn": c.arn("events", f"connection/{c.physical_name}/{c.uuid()}"),
        "secretArn": c.arn("secretsmanager", f"secret:events!connection/{c.physical_name}/{c.uuid('s')}"),
    }


@aws_type("aws:cloudwatch/eventApiDestination:EventApiDestination", name="name", max_name=64)
def _event_api_destination(c: Ctx):
    return c.physical_name, {"arn": c.arn("events", f"api-destination/{c.physical_name}/{c.uuid()}")}


@aws_type("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", name="name")
def _log_subscription(c: Ctx):
    return f"cwlsf-{int(c.hex(8), 16)}", {}


@aws_type("aws:cloudwatch/logMetricFilter:LogMetricFilter", name="name")
def _log_metric_filter(c: Ctx):
    return c.physical_name, {}
