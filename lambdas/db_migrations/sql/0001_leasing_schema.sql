-- Leasing schema: applications, leases, rent payments and the transactional outbox of lease events.
-- Money is kept in integer cents; every client write carries its own idempotency key.

CREATE TABLE lease_applications (
    application_id     uuid PRIMARY KEY,
    client_request_id  text NOT NULL UNIQUE CHECK (length(client_request_id) BETWEEN 8 AND 128),
    community_id       text NOT NULL,
    unit_id            text NOT NULL,
    applicant_name     text NOT NULL,
    applicant_email    text NOT NULL,
    desired_move_in    date NOT NULL,
    lease_term_months  smallint NOT NULL CHECK (lease_term_months BETWEEN 1 AND 36),
    monthly_rent_cents bigint NOT NULL CHECK (monthly_rent_cents > 0),
    status             text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved')),
    submitted_at       timestamptz NOT NULL DEFAULT now(),
    decided_at         timestamptz
);
CREATE INDEX lease_applications_unit ON lease_applications (community_id, unit_id);

CREATE TABLE leases (
    lease_id           uuid PRIMARY KEY,
    application_id     uuid NOT NULL UNIQUE REFERENCES lease_applications (application_id),
    community_id       text NOT NULL,
    unit_id            text NOT NULL,
    resident_name      text NOT NULL,
    resident_email     text NOT NULL,
    start_date         date NOT NULL,
    end_date           date NOT NULL,
    monthly_rent_cents bigint NOT NULL CHECK (monthly_rent_cents > 0),
    paid_cents         bigint NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (end_date > start_date)
);
CREATE INDEX leases_unit ON leases (community_id, unit_id);

CREATE TABLE rent_payments (
    payment_id        uuid PRIMARY KEY,
    lease_id          uuid NOT NULL REFERENCES leases (lease_id),
    -- The payment processor's reference: the same payment delivered twice has the same one.
    payment_reference text NOT NULL UNIQUE CHECK (length(payment_reference) BETWEEN 8 AND 128),
    amount_cents      bigint NOT NULL CHECK (amount_cents > 0),
    billing_period    text NOT NULL CHECK (billing_period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    received_at       timestamptz NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rent_payments_lease ON rent_payments (lease_id, billing_period);

-- Lease events, written in the same transaction as the change they describe and relayed to
-- EventBridge afterwards; a row is marked sent only once EventBridge accepted it.
CREATE TABLE event_outbox (
    outbox_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id             uuid NOT NULL UNIQUE,
    detail_type          text NOT NULL,
    aggregate_id         uuid NOT NULL,
    detail               jsonb NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    attempts             integer NOT NULL DEFAULT 0,
    next_attempt_at      timestamptz NOT NULL DEFAULT now(),
    last_error           text,
    sent_at              timestamptz,
    eventbridge_event_id text
);
CREATE INDEX event_outbox_pending ON event_outbox (next_attempt_at, outbox_id) WHERE sent_at IS NULL;
