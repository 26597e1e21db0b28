"""Architecture C, database side: the AvalonBay-style leasing platform (seed-spec §3).

``LeasingPlatform`` builds, in the primary Region and (``secondary_provider`` given) the secondary:

* a VPC with private subnets only and one interface endpoint (EventBridge, for the outbox relay);
  no NAT gateway: nothing else in the VPC calls a public AWS endpoint (IAM tokens for RDS are signed
  locally), and two endpoint ENIs cost less than a NAT gateway per AZ; the two VPCs are peered so
  either Region's functions reach the writer;
* an Aurora PostgreSQL Serverless v2 global database (``db.serverless``, storage encrypted with a
  customer key per Region, IAM database authentication, backups; deletion protection and a final
  snapshot when ``protect_data``), its master password in a Secrets Manager secret replicated to the
  secondary Region (Aurora-managed master passwords are not available for global databases);
* RDS Proxy per Region in front of its cluster: TLS required, IAM authentication required;
* a Route 53 private hosted zone with the writer CNAME (short TTL) that everything connects
  through; it names the RDS Proxy of the current primary and only the failover function moves it
  (``ignore_changes``), on the ``aws.rds`` global failover/switchover events, in both Regions;
* the lease API (Lambda in the private subnets, alias ``live`` with optional provisioned
  concurrency, REST API with IAM auth, optional custom domain with latency records and a health
  check on the API's 5XX alarm), the outbox relay (on a schedule), the migrations step (run on
  every deploy through a Lambda invocation keyed by the SQL files' hash);
* the leasing event bus with an archive and rules to a Lambda (metrics per community), an encrypted
  SNS topic and an API destination (its API key in the connection's Secrets Manager secret), each
  target with retries and an SQS dead-letter queue, and alarms on every dead-letter queue.

Search (Kinesis, OpenSearch, indexer and search functions) is ``components/leasing_search.py``;
``search_builder`` composes it per Region inside this platform.

One component, one module per part (each a class of private methods the component inherits; ``base``
holds what they share): ``args`` (Args and the search side's ``SearchSite``), ``constants``,
``network``, ``keys_and_alarms``, ``database``, ``events``, ``functions``, ``rotation``, ``api``, and
``platform`` (the component: which part runs when, and the outputs).
"""

from components.leasing.args import LeasingPlatformArgs, SearchSite
from components.leasing.base import LeasingSite
from components.leasing.constants import (
    DIRECT_SSLMODE,
    ENGINE,
    EVENT_SOURCE,
    LEASE_EVENT_TYPES,
    METRICS_NAMESPACE,
    NOTIFIED_EVENT_TYPES,
    PARTNER_EVENT_TYPES,
    PORT,
)
from components.leasing.functions import MIGRATIONS_DIR, migrations_digest, schedule_seconds
from components.leasing.platform import LeasingPlatform

__all__ = [
    "DIRECT_SSLMODE",
    "ENGINE",
    "EVENT_SOURCE",
    "LEASE_EVENT_TYPES",
    "METRICS_NAMESPACE",
    "MIGRATIONS_DIR",
    "NOTIFIED_EVENT_TYPES",
    "PARTNER_EVENT_TYPES",
    "PORT",
    "LeasingPlatform",
    "LeasingPlatformArgs",
    "LeasingSite",
    "SearchSite",
    "migrations_digest",
    "schedule_seconds",
]
