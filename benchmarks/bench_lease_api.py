"""Lease API write throughput and latency against a local PostgreSQL 15 (durable settings, TLS).

Each worker process stands for one Lambda execution environment: its own connection, requests sent
through the real handler (API Gateway REST event -> Powertools router -> psycopg -> PostgreSQL,
with the outbox insert in the same transaction). The mix follows the post's monthly volumes
(85,000 rent payments to 3,500 applications, S1:515), with 5% of payments delivered twice.

    .venv/bin/python benchmarks/bench_lease_api.py [--seconds 10] [--concurrency 1,2,4]

Figures are for this machine's local server: Aurora Serverless v2 behind RDS Proxy adds the proxy
hop and a commit acknowledged by storage in three AZs, so expect a few milliseconds more a write.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lambdas.db_migrations import migrations
from lambdas.lease_api import handler as api
from lambdas.lease_api import pg
from tests.lambdas.leasing.local_postgres import LocalPostgres

PAYMENTS_PER_MONTH = 85_000
APPLICATIONS_PER_MONTH = 3_500
SECONDS_PER_MONTH = 30 * 24 * 3600
# A pessimistic peak: every rent payment of the month in the first 3 days, 12 busy hours each.
PEAK_WINDOW_SECONDS = 3 * 12 * 3600
APPLICATION_SHARE = APPLICATIONS_PER_MONTH / (APPLICATIONS_PER_MONTH + PAYMENTS_PER_MONTH)


class Context:
    function_name = "bench"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench"


def event(method: str, path: str, body: dict | None = None) -> dict:
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {"content-type": "application/json"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "stage": "v1",
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def call(method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    response = api.handler(event(method, path, body), Context())
    return response["statusCode"], json.loads(response["body"])


def application_body(worker: int) -> dict:
    return {
        "client_request_id": f"req-{uuid.uuid4().hex}",
        "community_id": f"community-{worker % 7}",
        "unit_id": f"U-{random.randint(1, 400):04d}",
        "applicant": {"name": "Bench Applicant", "email": "bench@example.com"},
        "desired_move_in": "2025-01-01",
        "lease_term_months": 12,
        "monthly_rent_cents": 280_000,
    }


def worker(env: dict, seconds: float, worker_id: int, results) -> None:
    os.environ.update(env)
    logging_off()
    db = pg.Database(pg.ConnectionSettings.from_env(env, application_name="bench"))
    api.use_database(db)
    # Leases to pay into, created before the clock starts.
    leases = []
    for _ in range(20):
        _, application = call("POST", "/applications", application_body(worker_id))
        leases.append(call("POST", f"/applications/{application['application_id']}/approve", {})[1]["lease_id"])
    latencies: dict[str, list[float]] = {"payment": [], "payment_replay": [], "application": [], "read": []}
    last_payment = None
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        roll = random.random()
        if roll < APPLICATION_SHARE:
            kind, request = "application", ("POST", "/applications", application_body(worker_id))
        elif roll < 0.05 + APPLICATION_SHARE and last_payment is not None:
            kind, request = "payment_replay", last_payment
        elif roll < 0.10 + APPLICATION_SHARE:
            kind, request = "read", ("GET", f"/leases/{random.choice(leases)}", None)
        else:
            body = {
                "payment_reference": f"pay-{uuid.uuid4().hex}",
                "amount_cents": 280_000,
                "billing_period": "2025-01",
                "received_at": "2025-01-01T08:00:00+00:00",
            }
            kind, request = "payment", ("POST", f"/leases/{random.choice(leases)}/payments", body)
            last_payment = request
        started = time.perf_counter()
        status, _ = call(*request)
        latencies[kind].append(time.perf_counter() - started)
        if status >= 300:
            raise RuntimeError(f"{request[0]} {request[1]} answered {status}")
    db.close()
    results.put(latencies)


def logging_off() -> None:
    import logging

    logging.disable(logging.INFO)
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    api.logger.setLevel("WARNING")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


def run_level(env: dict, concurrency: int, seconds: float) -> dict:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    processes = [ctx.Process(target=worker, args=(env, seconds, n, results)) for n in range(concurrency)]
    for process in processes:
        process.start()
    merged: dict[str, list[float]] = {}
    for _ in processes:
        for kind, values in results.get(timeout=seconds + 120).items():
            merged.setdefault(kind, []).extend(values)
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a worker failed (exit code {process.exitcode})")
    writes = merged["payment"] + merged["payment_replay"] + merged["application"]
    return {
        "concurrency": concurrency,
        "writes_per_second": len(writes) / seconds,
        "write_p50_ms": percentile(writes, 0.50) * 1000,
        "write_p99_ms": percentile(writes, 0.99) * 1000,
        "payment_p99_ms": percentile(merged["payment"], 0.99) * 1000,
        "replay_p99_ms": percentile(merged["payment_replay"], 0.99) * 1000,
        "application_p99_ms": percentile(merged["application"], 0.99) * 1000,
        "read_p99_ms": percentile(merged["read"], 0.99) * 1000,
        "writes": len(writes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per concurrency level")
    parser.add_argument("--concurrency", default="1,2,4", help="comma-separated worker counts")
    parser.add_argument("--fast", action="store_true", help="fsync off (test settings) instead of durable")
    args = parser.parse_args()
    try:
        levels = [int(c) for c in args.concurrency.split(",")]
        if not levels or min(levels) < 1 or args.seconds <= 0:
            raise ValueError
    except ValueError:
        print(
            "--concurrency needs positive whole numbers (e.g. 1,2,4) and --seconds a positive number", file=sys.stderr
        )
        sys.exit(2)

    server = LocalPostgres(durable=not args.fast).start()
    try:
        server.create_database("bench")
        env = server.environ("bench")
        with pg.connect(pg.ConnectionSettings.from_env(env)) as conn:
            migrations.apply_migrations(conn)
        env = server.application_environ("bench", "leasing_app", "stand-in-for-the-iam-token")  # as the functions
        average = (PAYMENTS_PER_MONTH + APPLICATIONS_PER_MONTH) / SECONDS_PER_MONTH
        peak = PAYMENTS_PER_MONTH / PEAK_WINDOW_SECONDS
        print(
            f"PostgreSQL 15 on 127.0.0.1 ({'fsync off' if args.fast else 'durable: fsync, synchronous_commit on'}),"
            f" TLS, {os.cpu_count()} CPUs, {args.seconds:g} s per level"
        )
        print(
            f"{'workers':>7} {'writes/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'pay p99':>8} {'replay p99':>10} "
            f"{'apply p99':>9} {'read p99':>8} {'headroom x peak':>15}"
        )
        for level in levels:
            r = run_level(env, level, args.seconds)
            print(
                f"{r['concurrency']:>7} {r['writes_per_second']:>9.0f} {r['write_p50_ms']:>7.2f} "
                f"{r['write_p99_ms']:>7.2f} {r['payment_p99_ms']:>8.2f} {r['replay_p99_ms']:>10.2f} "
                f"{r['application_p99_ms']:>9.2f} {r['read_p99_ms']:>8.2f} {r['writes_per_second'] / peak:>15.0f}"
            )
        print(
            f"post's volume: {PAYMENTS_PER_MONTH:,} payments + {APPLICATIONS_PER_MONTH:,} applications a month = "
            f"{average:.3f} writes/s on average; {peak:.2f} writes/s if every payment came in 3 days x 12 h"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
