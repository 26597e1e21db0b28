"""The Aurora events that mean "the global database has a new writer".

From "Amazon RDS event categories and event messages for Aurora" (Aurora User Guide,
https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Events.Messages.html), DB cluster
events of category "global failover" (``global-failover`` in the EventBridge detail):

* RDS-EVENT-0185 "Global switchover to DB cluster <name> in Region <name> finished." (a switchover,
  formerly "managed planned failover"; the event the AvalonBay post's rule matches, S1:536);
* RDS-EVENT-0238 "Global failover to DB cluster <name> in Region <name> completed." (an unplanned
  global failover, FailoverGlobalCluster with AllowDataLoss);
* RDS-EVENT-0519 global failover completed but the promoted cluster has no DB instances: matched so
  the updater fails loudly (its DLQ and alarm) instead of the event passing unnoticed.

The pattern matches on the event IDs only (not on the category string), so a renamed category
cannot silently stop the rule. Nothing here imports boto3: the stack imports this module.
"""

SOURCE = "aws.rds"
DETAIL_TYPE = "RDS DB Cluster Event"
SWITCHOVER_FINISHED = "RDS-EVENT-0185"
FAILOVER_COMPLETED = "RDS-EVENT-0238"
FAILOVER_COMPLETED_WITHOUT_INSTANCES = "RDS-EVENT-0519"
WRITER_CHANGED_EVENT_IDS = (SWITCHOVER_FINISHED, FAILOVER_COMPLETED, FAILOVER_COMPLETED_WITHOUT_INSTANCES)


def event_pattern(cluster_arns: list[str] | None = None) -> dict:
    """The EventBridge pattern of the failover rule, optionally limited to the member clusters."""
    pattern: dict = {
        "source": [SOURCE],
        "detail-type": [DETAIL_TYPE],
        "detail": {"EventID": list(WRITER_CHANGED_EVENT_IDS)},
    }
    if cluster_arns:
        pattern["resources"] = list(cluster_arns)
    return pattern
