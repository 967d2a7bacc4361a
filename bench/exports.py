#!/usr/bin/env python
"""Benchmark: do large downloads starve the pages? /healthz while clients pull exports.

A fresh temporary SQLite database with --events events (the curated ones, then
``generate_events``), served by gunicorn with the production settings and the layout
of docs/operations.md (2 workers × 4 threads). --clients threads loop over the heaviest
downloads of the whole timeline (events.ics, timelinejs.json, events.json, events.csv) for
--seconds; each adds a parameter of its own (``?n=…``, as a prober defeating caches would).
With --vary, each request instead selects different events (a new year window), so every
download is made anew.
A client asked to retry (503) asks again at once, as a prober would; with --patient it waits
the Retry-After the answer gives, as a well-behaved client does.
Meanwhile one more client, in a process of its own, asks for /healthz every 20 ms. Prints
/healthz's latency percentiles, and per download: requests, statuses (503 = asked to retry),
latency and size.

Exit status 0 when every /healthz answered 200 and no download failed with a 5xx other than
503; the latency target (p99 under 100 ms) is printed, not enforced: this measures.

Usage: .venv/bin/python bench/exports.py [--events 10000] [--seconds 15] [--clients 4] [--vary]
                                        [--patient]
"""

import argparse
import http.client
import itertools
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from run import HOST, Server, ServerFailed, fetch, percentile, prepare

EXPORTS = ["events.ics", "timelinejs.json", "events.json", "events.csv"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--vary", action="store_true", help="a new selection every request")
    parser.add_argument(
        "--patient", action="store_true", help="clients wait as a 503's Retry-After asks"
    )
    return parser.parse_args()


def main():
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="relations-exports-bench-"))
    server = None
    try:
        env, _ = prepare(args.events, workdir)
        server = Server(env, workdir, workers=2, threads=4)
        server.wait_ready()
        return measure(server.port, args)
    except ServerFailed as error:
        print(f"FAILED: {error}")
        return 2
    finally:
        if server:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def poll_health(port, seconds, queue):
    """Ask for /healthz every 20 ms for ``seconds``; put [(seconds taken, status)] on queue."""
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    health, until = [], time.monotonic() + seconds
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            status = fetch(connection, "/healthz", {})[0]
        except (OSError, http.client.HTTPException) as error:
            status = type(error).__name__
        health.append((time.perf_counter() - started, status))
        time.sleep(0.02)
    queue.put(health)


def measure(port, args):
    stop = threading.Event()
    downloads = defaultdict(list)  # name → [(seconds, status, bytes)]
    counter = itertools.count()

    def download(number):
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        for turn in itertools.count(number):
            if stop.is_set():
                return
            name = EXPORTS[turn % len(EXPORTS)]
            n = next(counter)
            # --vary: a window of years no earlier request chose, so nothing is cached.
            query = f"from={1900 + n % 100}&to={2030 + n // 100}" if args.vary else f"n={n}"
            started = time.perf_counter()
            headers = {}
            try:
                status, headers, body = fetch(connection, f"/export/{name}?{query}", {})
            except (OSError, http.client.HTTPException) as error:
                status, body = type(error).__name__, b""
            downloads[name].append((time.perf_counter() - started, status, len(body)))
            if status == 503 and args.patient:
                stop.wait(float(headers.get("Retry-After", 1)))
                connection.close()  # the server has closed it meanwhile (keep-alive timeout)

    # /healthz is asked from a process of its own: threads reading megabytes in this one
    # would hold its interpreter lock and add their own waits to the figures.
    health_queue = multiprocessing.Queue()
    poller = multiprocessing.Process(target=poll_health, args=(port, args.seconds, health_queue))
    threads = [threading.Thread(target=download, args=(i,)) for i in range(args.clients)]
    poller.start()
    for thread in threads:
        thread.start()
    health = health_queue.get()
    stop.set()
    poller.join()
    for thread in threads:
        thread.join()

    mode = "a new selection every request" if args.vary else "the whole timeline, ?n=… added"
    if args.patient:
        mode += ", waiting as Retry-After asks"
    print(f"{args.events:,} events; {args.clients} clients pulling downloads ({mode}) for "
          f"{args.seconds:g} s; gunicorn 2 workers × 4 threads")  # fmt: skip
    latencies = [seconds * 1000 for seconds, _ in health]
    print(
        f"/healthz: {len(health)} requests, p50 {statistics.median(latencies):.1f} ms, "
        f"p99 {percentile(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms "
        f"(target p99 < 100 ms: {'met' if percentile(latencies, 0.99) < 100 else 'MISSED'})"
    )
    print(f"{'download':<18}{'requests':>9}  {'statuses':<22}{'p50 ms':>9}{'max ms':>9}{'MB':>7}")
    failed = any(status != 200 for _, status in health)
    for name in EXPORTS:
        rows = downloads[name]
        if not rows:
            continue
        statuses = Counter(status for _, status, _ in rows)
        times = [seconds * 1000 for seconds, _, _ in rows]
        size = max(size for _, _, size in rows) / 1e6
        shown = " ".join(f"{status}×{count}" for status, count in sorted(statuses.items(), key=str))
        print(
            f"{name:<18}{len(rows):>9}  {shown:<22}{statistics.median(times):>9.0f}"
            f"{max(times):>9.0f}{size:>7.1f}"
        )
        failed |= any(status not in (200, 503) for status in statuses)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
