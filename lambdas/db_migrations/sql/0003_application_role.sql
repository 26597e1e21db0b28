-- leasing_app: the database user the lease API and the outbox relay connect as. It has no
-- password: membership of rds_iam makes Aurora accept only IAM authentication tokens for it
-- (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html).
-- Its privileges are exactly the statements of lambdas/lease_api/leases.py, outbox.py and
-- lambdas/lease_outbox_relay/relay.py; a later migration that gives the code a new statement grants
-- what it needs, as no default privileges are set. The master user is for migrations only.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'leasing_app') THEN
        CREATE ROLE leasing_app LOGIN;
    END IF;
END
$$;
GRANT rds_iam TO leasing_app;

-- No DDL for anyone but the owner: PostgreSQL before 15 lets every role create objects in public,
-- and every database lets every role create temporary tables
-- (https://www.postgresql.org/docs/15/ddl-schemas.html#DDL-SCHEMAS-PATTERNS).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO leasing_app', current_database());
END
$$;
GRANT USAGE ON SCHEMA public TO leasing_app;

-- Lease API: applications, leases and payments are written once and read; the only updates are
-- the approval of an application and the running total of a lease.
GRANT SELECT, INSERT ON lease_applications, leases, rent_payments TO leasing_app;
GRANT UPDATE (status, decided_at) ON lease_applications TO leasing_app;  -- also allows its SELECT ... FOR UPDATE
GRANT UPDATE (paid_cents, updated_at) ON leases TO leasing_app;

-- Outbox: the API inserts events; the relay claims (SELECT ... FOR UPDATE), marks and purges them.
GRANT SELECT, INSERT, DELETE ON event_outbox TO leasing_app;
GRANT UPDATE (attempts, deliveries, last_error, next_attempt_at, sent_at) ON event_outbox TO leasing_app;
