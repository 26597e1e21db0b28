"""Cost rules and the monthly estimate."""

from . import logs

POLICIES = [*logs.POLICIES]
