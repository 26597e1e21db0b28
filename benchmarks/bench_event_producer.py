"""Producer throughput with and without injected failures, and how many events were lost.

Runs the real producer (real botocore client: serialisation, SigV4a signing through awscrt,
response parsing) against the local fake global endpoint from the tests, with the buffer on moto
SQS. Injected failures: per-entry ThrottlingException/InternalFailure at the given rate, plus
whole-call failures (throttled, 5xx, connection refused) at a third of that rate. Backoff sleeps
are real (the default RetryPolicy), so the figures include the time spent waiting.

Buffering cost here is moto's in-memory SQS (it slows as the queue grows), not real SQS latency.

"lost" is counted from the outside: order ids the fake endpoint accepted plus order ids found in
the SQS buffer, compared with what was sent. It must be 0.

    python benchmarks/bench_event_producer.py [--events 2000] [--chunk 100]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
from moto import mock_aws

from lambdas.event_producer import EventProducer, RetryPolicy, SqsBuffer
from tests.lambdas.events.fake_endpoint import FakeEventBridge

REGION = "us-east-1"


def order_entries(count: int) -> list[dict]:
    return [
        {
            "Source": "com.aws.Orders",
            "DetailType": "OrderCreated",
            "EventBusName": "orders-bus",
            "Detail": json.dumps(
                {
                    "order_date": "2026-01-01T00:00:00",
                    "customer_id": str(uuid.uuid4()),
                    "order_id": str(uuid.uuid4()),
                    "order_total": round(random.uniform(1.0, 1000.0), 2),
                }
            ),
        }
        for _ in range(count)
    ]


def drain_ids(queue_url: str) -> list[str]:
    sqs = boto3.client("sqs", region_name=REGION)
    ids: list[str] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return ids
        for message in messages:
            ids.append(json.loads(json.loads(message["Body"])["entry"]["Detail"])["order_id"])
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )


def run(failure_rate: float, events: int, chunk: int, seed: int, dead: bool = False) -> dict:
    with mock_aws():
        queue_url = boto3.client("sqs", region_name=REGION).create_queue(QueueName=f"buffer-{uuid.uuid4().hex[:8]}")[
            "QueueUrl"
        ]
        fake = FakeEventBridge(
            seed=seed, entry_failure_rate=failure_rate, call_failure_rate=failure_rate / 3, dead=dead
        )
        waited = [0.0]

        def sleep(seconds: float) -> None:
            waited[0] += seconds
            time.sleep(seconds)

        quiet = logging.getLogger("bench.producer")
        quiet.setLevel(logging.ERROR)
        producer = EventProducer(
            event_bus_name="orders-bus",
            endpoint_id="y6gho8g4kc.veo",
            region_name=REGION,
            buffer=SqsBuffer(queue_url, sleep=sleep),
            retry=RetryPolicy(),
            rng=random.Random(seed),
            sleep=sleep,
            logger=quiet,
        )
        fake.attach(producer.events_client)
        entries = order_entries(events)
        sent = [json.loads(e["Detail"])["order_id"] for e in entries]
        delivered = buffered = 0
        started = time.perf_counter()
        for start in range(0, events, chunk):
            result = producer.publish(entries[start : start + chunk])
            delivered += len(result.delivered)
            buffered += len(result.buffered)
        elapsed = time.perf_counter() - started
        accepted_ids = {json.loads(e["Detail"])["order_id"] for e in fake.accepted}
        buffered_ids = set(drain_ids(queue_url))
        lost = len(set(sent) - accepted_ids - buffered_ids)
        return {
            "failure_rate": failure_rate,
            "dead_region": dead,
            "events": events,
            "seconds": elapsed,
            "events_per_second": events / elapsed,
            "delivered": delivered,
            "buffered": buffered,
            "lost": lost,
            "put_events_calls": len(fake.calls),
            "backoff_seconds": waited[0],
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=100, help="events per publish() call")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": REGION})
    random.seed(args.seed)
    rows = [
        run(0.0, args.events, args.chunk, args.seed),
        run(0.3, args.events, args.chunk, args.seed),
        run(0.0, min(args.events, 500), args.chunk, args.seed, dead=True),
    ]
    print(f"producer, {args.chunk} events per publish(), default RetryPolicy {RetryPolicy()}, real backoff sleeps")
    print(
        f"{'scenario':<26}{'events':>7}{'ev/s':>8}{'delivered':>10}{'buffered':>9}"
        f"{'lost':>5}{'calls':>7}{'backoff s':>10}{'ev/s w/o backoff':>17}"
    )
    for row in rows:
        name = "dead Region" if row["dead_region"] else f"{row['failure_rate']:.0%} injected failures"
        busy = row["seconds"] - row["backoff_seconds"]
        print(
            f"{name:<26}{row['events']:>7}{row['events_per_second']:>8.0f}{row['delivered']:>10}"
            f"{row['buffered']:>9}{row['lost']:>5}{row['put_events_calls']:>7}"
            f"{row['backoff_seconds']:>10.1f}{row['events'] / busy:>17.0f}"
        )
    lost = sum(row["lost"] for row in rows)
    print(f"events lost: {lost}")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
