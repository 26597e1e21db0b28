"""Values the parts of the leasing platform share (and the search side and the tests import)."""

from __future__ import annotations

ENGINE = "aurora-postgresql"
PORT = 5432
# Straight to Aurora (no proxy), TLS is required but the certificate not verified: Aurora's certificates
# chain to the RDS certificate authorities, which the OS trust store lacks
# (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL.html); verify-full
# needs the RDS CA bundle packaged with the function (DB_SSLROOTCERT). RDS Proxy's certificates come
# from ACM and verify against the OS store.
DIRECT_SSLMODE = "require"
EVENT_SOURCE = "blueprints.leasing"
METRICS_NAMESPACE = "Blueprints/Leasing"
LEASE_EVENT_TYPES = ("Lease Application Submitted", "Lease Created", "Rent Payment Recorded")
NOTIFIED_EVENT_TYPES = ("Lease Created", "Rent Payment Recorded")  # finance and administration
PARTNER_EVENT_TYPES = ("Lease Application Submitted", "Lease Created")  # property management
