-- Lease events go to the lease bus of every deployed Region. Each outbox row records the buses
-- that accepted it (bus ARN -> EventBridge event id), so a retry after a partial failure sends
-- only to the buses still missing; sent_at is set once every bus accepted it. Rows already sent
-- are finished whatever their bus, so the single event id column they carried is dropped.
ALTER TABLE event_outbox ADD COLUMN deliveries jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE event_outbox DROP COLUMN eventbridge_event_id;
