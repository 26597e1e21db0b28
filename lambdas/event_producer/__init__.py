"""Loss-free EventBridge producer: library and Lambda function (``event_producer.handler.handler``)."""

from .buffer import SqsBuffer
from .entries import InvalidEntryError
from .model import Buffered, Delivered, EventsNotDeliveredError, Failed, PublishResult
from .producer import EventProducer
from .retry import RetryPolicy

__all__ = [
    "Buffered",
    "Delivered",
    "EventProducer",
    "EventsNotDeliveredError",
    "Failed",
    "InvalidEntryError",
    "PublishResult",
    "RetryPolicy",
    "SqsBuffer",
]
