"""The monthly cost estimate: the engine (``engine``), one pricer module per area (mirroring the rule
modules: ``ec2``, ``network``, ``database``, ``search``, ``functions``, ``services``, ``monitoring``,
``data``) and the readable summary (``summary``). Importing the package registers every pricer."""

from . import data, database, ec2, functions, monitoring, network, search, services
from .engine import PRICERS, Budget, Estimate, Line, estimate
from .summary import JSON_MARKER, summary

__all__ = ["JSON_MARKER", "PRICERS", "Budget", "Estimate", "Line", "estimate", "summary"]
