"""Search indexer throughput: listing documents per second through the real handler.

Three set-ups, each on loopback with real SigV4 signing and a real HTTP round trip per bulk call:
  full      the fake OpenSearch from the tests (signature check, strict mapping, external versions);
  lean      a minimal HTTP server that answers every bulk with success (the indexer's own cost);
  no-http   a stub client (decode, validation, NDJSON building and outcome bookkeeping only).
The post's volumes are compared at the end. Run: .venv/bin/python benchmarks/bench_search_indexer.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from loopback_server import LoopbackServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.update(
    AWS_ACCESS_KEY_ID="ASIABENCHMARKEXAMPLE",
    AWS_SECRET_ACCESS_KEY="benchmark-secret",
    AWS_SESSION_TOKEN="benchmark-token",
    AWS_REGION="us-east-1",
    AWS_DEFAULT_REGION="us-east-1",
    POWERTOOLS_LOG_LEVEL="WARNING",
    INDEX_NAME="listings",
)
os.environ.pop("FAILURE_QUEUE_URL", None)

from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

from lambdas.search_indexer import handler as indexer_handler  # noqa: E402
from lambdas.search_indexer.indexer import Indexer  # noqa: E402
from tests.lambdas.search.fake_opensearch import FakeOpenSearch  # noqa: E402
from tests.lambdas.search.search_helpers import LISTING_PROPERTIES, FakeContext, kinesis_event, upsert  # noqa: E402

SEARCHES_PER_DAY = 150_000  # S1:514
APARTMENT_HOMES = 88_405  # S1:520


def _bulk_success(body: bytes) -> bytes:
    """One success item per action of the bulk request; nothing else."""
    actions = body.count(b'"version_type":"external"')
    item = b'{"index":{"_index":"listings-v1","_id":"x","_version":1,"result":"created","status":201}}'
    return b'{"took":1,"errors":false,"items":[' + b",".join([item] * actions) + b"]}"


def lean_bulk_server() -> LoopbackServer:
    return LoopbackServer(_bulk_success)


def make_batches(total: int, batch_size: int) -> list[dict]:
    batches = []
    for start in range(0, total, batch_size):
        payloads = [
            upsert(f"avb-{n:06d}", 1_767_225_600_000 + n, monthly_rent=2000.0 + n % 2500, bedrooms=n % 4)
            for n in range(start, min(start + batch_size, total))
        ]
        batches.append(kinesis_event(payloads, shard=f"shardId-{start // batch_size % 4:012d}"))
    return batches


def run_handler(endpoint: str, batches: list[dict]) -> tuple[float, list[float]]:
    os.environ["OPENSEARCH_ENDPOINT"] = endpoint
    indexer_handler.reset_clients()
    indexer_handler.handler(make_batches(10, 10)[0], FakeContext())  # warm the connection
    latencies = []
    started = time.perf_counter()
    for event in batches:
        t0 = time.perf_counter()
        response = indexer_handler.handler(event, FakeContext())
        latencies.append(time.perf_counter() - t0)
        assert response == {"batchItemFailures": []}, response
    return time.perf_counter() - started, latencies


class StubClient:
    def bulk(self, body):
        actions = body.count(b'"version_type":"external"')
        return {"errors": False, "items": [{"index": {"status": 201}}] * actions}


def run_no_http(batches: list[dict]) -> tuple[float, list[float]]:
    indexer = Indexer(client=StubClient, index="listings", failure_queue=None)
    records = [[KinesisStreamRecord(r) for r in event["Records"]] for event in batches]
    latencies = []
    started = time.perf_counter()
    for batch in records:
        t0 = time.perf_counter()
        result = indexer.index_records(batch)
        latencies.append(time.perf_counter() - t0)
        assert all(e is None for e in result.errors)
    return time.perf_counter() - started, latencies


def best_of(repeat: int, run) -> tuple[float, list[float]]:
    return min((run() for _ in range(repeat)), key=lambda outcome: outcome[0])


def report(label: str, docs: int, batch_size: int, elapsed: float, latencies: list[float]) -> float:
    rate = docs / elapsed
    p50 = statistics.median(latencies) * 1000
    p99 = sorted(latencies)[max(0, int(len(latencies) * 0.99) - 1)] * 1000
    print(
        f"{label:<8} batch {batch_size:>4}: {rate:>9,.0f} docs/s   batch p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   ({docs:,} docs in {elapsed:.2f} s)"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[100, 500])
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per set-up; the fastest is shown (the machine is shared)"
    )
    args = parser.parse_args()

    fake = FakeOpenSearch(
        credentials=Credentials(
            os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"], os.environ["AWS_SESSION_TOKEN"]
        ),
        region="us-east-1",
        indices={"listings-v1": LISTING_PROPERTIES},
        aliases={"listings": "listings-v1"},
        record_bodies=False,
    ).start()
    lean = lean_bulk_server()
    slowest = None
    try:
        print(
            f"search indexer, {args.docs:,} listing upserts per run, best of {args.repeat} (~{len(json.dumps(upsert('avb-000001', 1)))} bytes each)"
        )
        for batch_size in args.batch_sizes:
            batches = make_batches(args.docs, batch_size)

            def full():
                fake.docs.clear()
                fake.tombstones.clear()
                return run_handler(fake.url, batches)

            rate = report("full", args.docs, batch_size, *best_of(args.repeat, full))
            slowest = rate if slowest is None else min(slowest, rate)
            report("lean", args.docs, batch_size, *best_of(args.repeat, lambda: run_handler(lean.url, batches)))
            report("no-http", args.docs, batch_size, *best_of(args.repeat, lambda: run_no_http(batches)))
    finally:
        fake.stop()
        lean.stop()

    per_day = slowest * 86_400
    print()
    print("against the post's volumes (S1:514, S1:520):")
    print(f"  one indexer at the slowest set-up above: {slowest:,.0f} docs/s, {per_day / 1e6:,.1f} million docs a day")
    print(f"  re-indexing all {APARTMENT_HOMES:,} apartment homes: {APARTMENT_HOMES / slowest:,.1f} s")
    print(
        f"  {SEARCHES_PER_DAY:,} searches a day is {SEARCHES_PER_DAY / 86_400:.2f} a second on average; the post gives no update rate,"
    )
    print(
        "  so even one listing change per search would use "
        f"{SEARCHES_PER_DAY / 86_400 / slowest:.3%} of one indexer's capacity"
    )


if __name__ == "__main__":
    main()
