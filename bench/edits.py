#!/usr/bin/env python
"""Benchmark "Edits without stalls": what an editor's saves cost the readers.

For each size and each --database, the same set-up as bench/run.py (a fresh temporary
database with the curated events and synthetic ones, gunicorn with the production settings
and 2 sync workers on loopback), then 2 x --seconds of htmx fragments of `/`, every URL new
(bench/run.py's "fragment varied"), with --concurrency connections, while another process
saves in turns: --phase seconds of one save every --every seconds through the ORM, as the
admin does, then --phase seconds without. Each save raises the data version; they are in
turn a synthetic event's title changed (what the month tallies count stays) and one moved a
year (its old and new months counted anew). Interleaved, so that the shared machine's
changes of speed fall on both alike:

  no edits      the reads of the phases without saves
  one editor    the reads of the phases with saves

Reported per kind of phase: reads per second, p50 and p99 latency, the slowest read; the
slowest read that started within a second after each save (the stall a save causes), their
median over the saves, for all saves and for each kind; the same at each second of the
phases without saves (how slow the slowest read of a second is anyway). Last, a check
against the issue's targets: the slowest read in the second after a save at most 5x the p50
of a new-URL read without edits, and read throughput with the editor at least half of that
without.

Then returning readers, without and with an editor saving every --every seconds throughout:
--revisit URLs of the same kind asked for again and again, each with the ETag last sent for
it (as a browser revalidates its copy), --seconds each. Reported: the share answered 304
Not Modified. A save makes new only the fragments whose dates the saved event falls in.

The load generator shares the machine's cores with the server: compare runs and sizes within
one run, not across machines. Exit status: 0 when every request got a 200, 1 when any failed,
2 when the server did not start or a database could not be prepared.

Usage: .venv/bin/python bench/edits.py [--sizes 10000,100000] [--database sqlite,postgres]
                                      [--seconds 20] [--every 1] [--phase 5]
                                      [--concurrency 4] [--revisit 200] [--keep]
"""

import argparse
import http.client
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # bench/run.py: the same set-up and load

EDITOR = """
import itertools, os, random, sys, time
import django
django.setup()
from timeline.models import Event
every, phase = float(sys.argv[1]), float(sys.argv[2])
ids = list(Event.objects.filter(synthetic=True).order_by("id").values_list("id", flat=True)[:1000])
rng = random.Random(1)

def moved(day, years):
    return day.replace(year=day.year + years, day=min(day.day, 28))

began = time.time()
print("ready", began, flush=True)
for turn in itertools.count():
    # Saves in the even phases only (--phase 0: always).
    if phase and int((time.time() - began) // phase) % 2:
        time.sleep(phase - (time.time() - began) % phase)
    event = Event.objects.get(pk=rng.choice(ids))
    if turn % 2:
        years = rng.choice((-1, 1))
        event.start = moved(event.start, years)
        event.end = event.end and moved(event.end, years)
    else:
        event.title = event.title[:-2] if event.title.endswith(" *") else event.title + " *"
    started = time.time()
    event.save()
    print(started, time.time(), "move" if turn % 2 else "title", flush=True)
    time.sleep(max(0.0, every - (time.time() - started)))
"""


class Editor:
    """The editor process: saving every ``every`` seconds, in the even ``phase``-second
    phases from ``began`` (phase 0: all the time)."""

    def __init__(self, env, every, phase):
        self.process = subprocess.Popen(
            [bench.PYTHON, "-c", EDITOR, str(every), str(phase)],
            cwd=bench.ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "relations.settings"},
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = self.process.stdout.readline().split()
        if not ready or ready[0] != "ready":
            self.kill()
            raise bench.ServerFailed("the editor process did not start")
        self.began = float(ready[1])

    def stop(self) -> list[tuple]:
        """Stops it; returns its saves: (started, ended, kind)."""
        self.process.terminate()
        output = self.process.communicate(timeout=30)[0]
        return [
            (float(started), float(ended), kind)
            for started, ended, kind in (line.split() for line in output.splitlines() if line)
        ]

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()


def drive(port, next_request, seconds, concurrency):
    return bench.drive(port, next_request, seconds, concurrency, threading.Event())


def revisit(port, urls, seconds, readers):
    """Each of ``readers`` (a dict each, URL → the ETag last sent to that reader, kept from
    call to call as a browser keeps its copies) going through ``urls`` in turn from its own
    place for ``seconds`` (None: once through), asking with the ETag it holds for the URL;
    returns the statuses."""
    deadline = None if seconds is None else time.monotonic() + seconds
    per_thread = [[] for _ in readers]

    def reader(number, statuses):
        connection = http.client.HTTPConnection(bench.HOST, port, timeout=bench.REQUEST_TIMEOUT)
        etags, first = readers[number], number * len(urls) // len(readers)
        turn = first
        while turn - first < len(urls) if deadline is None else time.monotonic() < deadline:
            path = urls[turn % len(urls)]
            turn += 1
            headers = {**bench.HTMX, **({"If-None-Match": etags[path]} if path in etags else {})}
            try:
                status, sent, _ = bench.fetch(connection, path, headers)
            except (OSError, http.client.HTTPException) as error:
                statuses.append(type(error).__name__)
                time.sleep(0.05)  # a refused connection must not spin
                continue
            if status == 200 and sent.get("ETag"):
                etags[path] = sent["ETag"]
            statuses.append(status)
        connection.close()

    threads = [
        threading.Thread(target=reader, args=(number, statuses), daemon=True)
        for number, statuses in enumerate(per_thread)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [status for statuses in per_thread for status in statuses]


def not_modified(statuses) -> dict:
    return {
        "reads": len(statuses),
        "share": sum(status == 304 for status in statuses) / max(1, len(statuses)),
        "errors": sum(status not in (200, 304) for status in statuses),
    }


def figures(elapsed, rows):
    latencies = sorted(row[0] for row in rows)
    return {
        "rps": len(rows) / elapsed,
        "p50": bench.percentile(latencies, 0.5),
        "p99": bench.percentile(latencies, 0.99),
        "max": latencies[-1],
        "errors": sum(1 for row in rows if row[1] != 200),
    }


def phases(began, phase, first, last):
    """(start, end, with saves) of each phase from ``began`` overlapping ``first``–``last``
    (times), cut to them."""
    number = int((first - began) // phase)
    while began + number * phase < last:
        start = began + number * phase
        yield max(start, first), min(start + phase, last), number % 2 == 0
        number += 1


def stalls(rows, saves):
    """The slowest read that started within a second after each save ended (``rows`` as
    bench.drive gives them)."""
    worst = []
    for _, ended, *_ in saves:
        after = [row[0] for row in rows if ended <= row[4] < ended + 1]
        if after:
            worst.append(max(after))
    return worst


def measure(size, database_kind, args, workdir):
    database = bench.DATABASES[database_kind](size, workdir)
    env = bench.prepare(size, workdir, database)
    server = bench.Server(env, workdir, workers=2)
    editor = None
    try:
        server.wait_ready()
        urls = bench.VariedUrls(bench.vocabulary(database))
        drive(server.port, urls, 3, args.concurrency)  # warm-up
        editor = Editor(env, args.every, args.phase)
        first = time.time()
        _, rows = drive(server.port, urls, 2 * args.seconds, args.concurrency)
        last = time.time()
        saves = editor.stop()
        quiet, edited = phased(rows, saves, editor.began, first, last, args)
        returning = [urls()[0] for _ in range(args.revisit)]
        readers = [{} for _ in range(args.concurrency)]
        revisit(server.port, returning, None, readers)  # each reader sees each URL once
        quiet["revisits"] = not_modified(revisit(server.port, returning, args.seconds, readers))
        editor = Editor(env, args.every, 0)
        edited["revisits"] = not_modified(revisit(server.port, returning, args.seconds, readers))
        editor.stop()
        return quiet, edited
    finally:
        if editor is not None:
            editor.kill()
        server.stop()
        database.drop(args.keep)


def phased(rows, saves, began, first, last, args):
    """The figures of the reads (``rows``, as bench.drive gives them, from ``first`` to
    ``last``) in the phases without saves and in those with ``saves``."""
    runs = {}
    for with_saves in (False, True):
        spans = [
            (start, end)
            for start, end, saving in phases(began, args.phase, first, last)
            if saving == with_saves
        ]
        chosen = [row for row in rows if any(start <= row[4] < end for start, end in spans)]
        runs[with_saves] = figures(sum(end - start for start, end in spans), chosen)
        runs[with_saves]["slowest"] = sorted((row[0], row[3]) for row in chosen)[-3:][::-1]
    quiet, edited = runs[False], runs[True]
    # A tick each second of the phases without saves, from a second after the last save.
    ticks = [
        (start + second,) * 2
        for start, end, saving in phases(began, args.phase, first, last)
        if not saving
        for second in range(1, int(end - start))
    ]
    quiet["stalls"] = stalls(rows, ticks)
    edited["stalls"] = stalls(rows, saves)
    edited["saves"] = len(saves)
    edited["stalls by kind"] = {
        kind: stalls(rows, [save for save in saves if save[2] == kind])
        for kind in ("title", "move")
    }
    return quiet, edited


def report(size, name, quiet, edited):
    ms = 1000
    print(f"\n== {size:,} events · {name} · an editor saving every second, in turns with none")
    print(f"{'run':12} {'reads/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}")
    for label, run in (("no edits", quiet), ("one editor", edited)):
        print(
            f"{label:12} {run['rps']:8.1f} {run['p50'] * ms:8.1f} {run['p99'] * ms:8.1f} "
            f"{run['max'] * ms:8.1f} {run['errors']:7}"
        )
    for label, run in (("no edits", quiet), ("one editor", edited)):
        print(f"slowest reads, {label}:")
        for latency, path in run["slowest"]:
            print(f"  {latency * ms:6.1f} ms  {path}")
    worst = edited["stalls"]
    if worst:
        median = statistics.median(worst) * ms
        print(
            f"slowest read in the second after a save: {max(worst) * ms:.0f} ms "
            f"(median over {len(worst)} of {edited['saves']} saves {median:.0f} ms)"
        )
        for kind, kind_worst in edited["stalls by kind"].items():
            if kind_worst:
                print(
                    f"  after a {kind} save: {max(kind_worst) * ms:.0f} ms (median over "
                    f"{len(kind_worst)} {statistics.median(kind_worst) * ms:.0f} ms)"
                )
        if quiet["stalls"]:
            print(
                f"  the same without edits, a second at a time: "
                f"{max(quiet['stalls']) * ms:.0f} ms (median "
                f"{statistics.median(quiet['stalls']) * ms:.0f} ms)"
            )
        stall = max(worst) / quiet["p50"]
        verdict = "PASS" if stall <= 5 else "FAIL"
        print(f"  target: at most 5x a new-URL read without edits: {stall:.1f}x {verdict}")
    share = edited["rps"] / quiet["rps"]
    verdict = "PASS" if share >= 0.5 else "FAIL"
    print(f"  target: reads/s with the editor at least half: {share:.0%} {verdict}")
    for label, run in (("no edits", quiet), ("one editor", edited)):
        revisits = run["revisits"]
        print(
            f"returning readers, {label}: {revisits['share']:.0%} of {revisits['reads']:,} "
            f"answered 304 Not Modified, {revisits['errors']} errors"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--database", default="sqlite,postgres")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--every", type=float, default=1)
    parser.add_argument(
        "--phase", type=float, default=5, help="seconds with saves, then as many without"
    )
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--revisit", type=int, default=200, help="how many URLs the returning readers go back to"
    )
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    failed = False
    for kind in args.database.split(","):
        for size in map(int, args.sizes.split(",")):
            workdir = Path(tempfile.mkdtemp(prefix=f"relations-edits-{size}-"))
            name = bench.DATABASES[kind].name
            bench.log(f"[{size:,} events, {name}] preparing {workdir}")
            try:
                quiet, edited = measure(size, kind, args, workdir)
            except bench.ServerFailed as error:
                bench.log(f"  ! {error}")
                return 2
            finally:
                if not args.keep:
                    shutil.rmtree(workdir, ignore_errors=True)
            report(size, name, quiet, edited)
            failed = failed or any(
                run["errors"] or run["revisits"]["errors"] for run in (quiet, edited)
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
