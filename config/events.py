"""Architecture A (EventBridge global endpoints): the ``events*`` keys and the GlobalEventBus Args."""

from __future__ import annotations

from dataclasses import dataclass

from components.global_events import GlobalEventBusArgs
from components.providers import ArchitectureProviders
from components.rules import events as rules
from config.reader import ConfigReader
from config.settings import StackSettings, email_problem

ARCHITECTURE = "global-events"


@dataclass(frozen=True)
class EventsConfig:
    settings: StackSettings
    enabled: bool
    bus_name: str
    endpoint_name: str
    replication_enabled: bool
    latency_threshold_ms: int
    alarm_evaluation_periods: int
    treat_missing_data: str
    insufficient_data_health_status: str
    heartbeat_enabled: bool
    alarm_emails: tuple[str, ...]
    archive_retention_days: int
    log_retention_days: int
    producer_enabled: bool

    @classmethod
    def read(cls, r: ConfigReader, settings: StackSettings) -> EventsConfig:
        bus_name = r.string("eventsBusName")
        r.check("eventsBusName", bus_name, rules.bus_name_problem(bus_name))
        endpoint_name = r.string("eventsEndpointName")
        r.check("eventsEndpointName", endpoint_name, rules.endpoint_name_problem(endpoint_name))
        treat_missing_data = r.string("eventsTreatMissingData", choices=rules.TREAT_MISSING_DATA)
        insufficient = r.string("eventsInsufficientDataHealthStatus", choices=rules.INSUFFICIENT_DATA_HEALTH)
        heartbeat = r.boolean("eventsHeartbeatEnabled")
        quiet = rules.quiet_bus_problem(treat_missing_data, insufficient, heartbeat)
        r.check("eventsHeartbeatEnabled", heartbeat, quiet and f"true with this missing-data handling: {quiet}")
        return cls(
            settings=settings,
            enabled=r.boolean("eventsEnabled"),
            bus_name=bus_name,
            endpoint_name=endpoint_name,
            replication_enabled=r.boolean("eventsReplicationEnabled"),
            latency_threshold_ms=r.integer("eventsLatencyThresholdMs", minimum=1000, maximum=600_000),
            alarm_evaluation_periods=r.integer("eventsAlarmEvaluationPeriods", minimum=1, maximum=60),
            treat_missing_data=treat_missing_data,
            insufficient_data_health_status=insufficient,
            heartbeat_enabled=heartbeat,
            alarm_emails=r.strings("eventsAlarmEmails", item=email_problem),
            archive_retention_days=r.integer(
                "eventsArchiveRetentionDays", minimum=1, maximum=rules.MAX_ARCHIVE_RETENTION_DAYS
            ),
            log_retention_days=r.log_retention("eventsLogRetentionDays"),
            producer_enabled=r.boolean("eventsProducerEnabled"),
        )

    def args(self, providers: ArchitectureProviders) -> GlobalEventBusArgs:
        s = self.settings
        return GlobalEventBusArgs(
            primary_provider=providers.primary,
            secondary_provider=providers.secondary,
            primary_region=s.primary_region,
            secondary_region=s.secondary_region,
            bus_name=self.bus_name,
            endpoint_name=self.endpoint_name,
            replication_enabled=self.replication_enabled,
            latency_threshold_ms=self.latency_threshold_ms,
            alarm_evaluation_periods=self.alarm_evaluation_periods,
            treat_missing_data=self.treat_missing_data,
            insufficient_data_health_status=self.insufficient_data_health_status,
            heartbeat_enabled=self.heartbeat_enabled,
            alarm_emails=self.alarm_emails,
            archive_retention_days=self.archive_retention_days,
            log_retention_days=self.log_retention_days,
            producer_enabled=self.producer_enabled,
            protect_stateful=s.protect_stateful_resources,
            lambda_packaging=s.lambda_packaging,
        )
