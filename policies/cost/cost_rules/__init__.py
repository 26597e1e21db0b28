"""Cost rules and the monthly estimate.

One module per area, each exporting ``POLICIES``; the pack's ``__main__.py`` only assembles them.
The estimate comes first: the budget guard reuses the estimate it made in the same run.
"""

from . import budget, database, ec2, functions, logs, network, search, services, tags

POLICIES = [
    *budget.POLICIES,
    *ec2.POLICIES,
    *database.POLICIES,
    *search.POLICIES,
    *logs.POLICIES,
    *network.POLICIES,
    *functions.POLICIES,
    *services.POLICIES,
    *tags.POLICIES,
]
