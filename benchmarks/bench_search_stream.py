"""Search stream producer: records per second through encoding, batching and partial-failure retry,
against a stub PutRecords (no network, so this is the producer's own cost) that accepts every
record or refuses a share of each call the way a throttled shard does.

    .venv/bin/python benchmarks/bench_search_stream.py [--records 50000] [--refused 0,0.1,0.3]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lambdas.search_indexer import search_stream
from tests.lambdas.search.search_helpers import listing


class StubKinesis:
    def __init__(self, refused_share: float, seed: int = 1):
        self.refused_share, self.rng, self.calls, self.sent = refused_share, random.Random(seed), 0, 0

    def put_records(self, StreamARN, Records):
        self.calls += 1
        results = []
        for _ in Records:
            if self.rng.random() < self.refused_share:
                results.append({"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded"})
            else:
                self.sent += 1
                results.append({"SequenceNumber": "1", "ShardId": "shardId-000000000000"})
        return {"FailedRecordCount": sum("ErrorCode" in r for r in results), "Records": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--refused", default="0,0.1,0.3", help="comma-separated shares of each call refused")
    args = parser.parse_args()
    changes = [search_stream.upsert(listing(f"avb-{n}"), version=n + 1) for n in range(args.records)]
    print(
        f"{args.records:,} listing upserts of ~{search_stream.Record.of(changes[0]).size} bytes each; no backoff sleeps"
    )
    search_stream.SearchStreamProducer(StubKinesis(0), "arn:aws:kinesis:us-east-1:123456789012:stream/s").put(
        changes[:2_000]
    )  # warm-up: imports and caches, not measured
    print(f"{'refused':>8} {'records/s':>10} {'calls':>7} {'calls/500':>9} {'given up':>8}")
    for share in (float(s) for s in args.refused.split(",")):
        stub = StubKinesis(share)
        producer = search_stream.SearchStreamProducer(
            stub, "arn:aws:kinesis:us-east-1:123456789012:stream/s", max_attempts=8, sleep=lambda _: None
        )
        started = time.perf_counter()
        failed = producer.put(changes)
        elapsed = time.perf_counter() - started
        print(
            f"{share:>8.0%} {args.records / elapsed:>10,.0f} {stub.calls:>7} "
            f"{stub.calls / (args.records / 500):>9.2f} {len(failed):>8}"
        )


if __name__ == "__main__":
    main()
