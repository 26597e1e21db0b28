"""Points the writer CNAME at the Aurora global database's current primary after a failover."""
