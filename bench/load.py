#!/usr/bin/env python
"""Load test: many readers and two writers against gunicorn with the production settings.

Serves the app with gunicorn on loopback (DJANGO_DEBUG=0, DJANGO_HTTPS=0) over a temporary
SQLite database loaded with the curated dataset. For --seconds, --readers threads fetch the
timeline with varied filters (whole pages, htmx fragments, event and essay pages, the JSON
export) while two writers save events over and over:

- an editor through the admin (logged in; CSRF token, version check, history), and
- a script through the ORM in a process of its own, each save in a transaction, every
  --write-interval seconds (far more often than people edit).

Each save writes a unique marker into the event's summary. Afterwards the database is read
again: a write is confirmed when its marker is in the event's history, and the event must
end with the last marker written to it. Prints requests, failures, 5xx, downloads asked to
come back later (a 503 with Retry-After while the worker makes another: by design, not a
failure), "database is locked" errors, writes attempted/confirmed, and read latency
percentiles; exits 1 on any failed request or lost write.

Usage: .venv/bin/python bench/load.py [--seconds 30] [--readers 16] [--write-interval 0.05]
                                     [--workers 2] [--threads 4]
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from admin_form import FormFields, csrf_token  # beside this script

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"  # loopback only
EDITOR, EDITOR_PASSWORD = "bench-editor", secrets.token_urlsafe(24)
MARKER = re.compile(r" \[bench-(?:admin|orm)-\d+\]")
MAX_REQUESTS = 500_000
# A reader's download refused for now, with a time to come back: counted, not failed.
BUSY = "busy"

ORM_WRITER = """
import json, re, sys, time, django
django.setup()
from django.db import transaction
from timeline.models import Event
pks, deadline = json.loads(sys.argv[1]), time.monotonic() + float(sys.argv[2])
marker, interval = re.compile(sys.argv[3]), float(sys.argv[4])
attempted, confirmed, errors, n = 0, [], [], 0
while n == 0 or time.monotonic() < deadline:
    pk = pks[n % len(pks)]
    n += 1
    tag = f" [bench-orm-{n}]"
    attempted += 1
    try:
        with transaction.atomic():
            event = Event.objects.get(pk=pk)
            event.summary = marker.sub("", event.summary) + tag
            event.save()
        confirmed.append([pk, tag])
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
    time.sleep(interval)
print(json.dumps({"attempted": attempted, "confirmed": confirmed, "errors": errors}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


class Client:
    """One keep-alive HTTP connection with its cookies, like one browser tab."""

    def __init__(self, port):
        self.port = port
        self.cookies = SimpleCookie()
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # reconnect on the next request
            raise
        for value in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(value)
        return response.status, response.headers, content.decode("utf-8", "replace")


def admin_writer(port, pks, deadline, result):
    """An editor: opens an event's change page, edits the summary, saves; again and again."""
    client = Client(port)
    _, _, page = client.request("GET", "/admin/login/")
    body = urlencode(
        {"csrfmiddlewaretoken": csrf_token(page), "username": EDITOR, "password": EDITOR_PASSWORD}
    )
    status, _, _ = client.request("POST", "/admin/login/?next=/admin/", body)
    if status != 302:
        result["errors"].append(f"login failed with {status}")
        return
    n = 0
    # At least one save, however slow the machine is to log in.
    while n == 0 or time.monotonic() < deadline:
        pk = pks[n % len(pks)]
        n += 1
        tag = f" [bench-admin-{n}]"
        url = f"/admin/timeline/event/{pk}/change/"
        result["attempted"] += 1
        started = time.perf_counter()
        try:
            _, _, page = client.request("GET", url)
            fields = FormFields(page.split('id="event_form"', 1)[1]).fields
            fields = [
                (
                    name,
                    MARKER.sub("", value.replace("\r\n", "\n")) + tag
                    if name == "summary"
                    else value,
                )
                for name, value in fields
            ]
            status, _, page = client.request("POST", url, urlencode([*fields, ("_save", "Save")]))
        except (OSError, http.client.HTTPException) as error:
            result["errors"].append(f"{type(error).__name__}: {error}")
            continue
        result["latencies"].append(time.perf_counter() - started)
        if status == 302:
            result["confirmed"].append([pk, tag])
        else:
            reason = re.search(r'class="errornote">(.*?)<', page, re.S)
            result["errors"].append(
                f"{status}: {reason.group(1).strip() if reason else page[:200]}"
            )


def reader(port, urls, deadline, seed, results, lock):
    client, rng = Client(port), random.Random(seed)
    while time.monotonic() < deadline:
        path, headers = rng.choice(urls)
        started = time.perf_counter()
        try:
            status, sent, _ = client.request("GET", path, headers=headers)
        except (OSError, http.client.HTTPException) as error:
            status = f"{type(error).__name__}"
        else:
            # A download made while another is being made is refused with a time to come
            # back (timeline/export_cache.py): by design, not a failure.
            if status == 503 and path.startswith("/export/") and sent.get("Retry-After"):
                status = BUSY
        elapsed = time.perf_counter() - started
        with lock:
            results.append((path, status, elapsed))
            if len(results) >= MAX_REQUESTS:
                return


def reader_urls(db_path):
    with sqlite3.connect(db_path) as db:
        slugs = {
            table: [row[0] for row in db.execute(f"SELECT slug FROM timeline_{table}")]  # noqa: S608 - fixed table names
            for table in ("theme", "period", "essay", "event")
        }
    rng = random.Random(1)
    queries = [{}, {"q": "treaty"}, {"q": "sanctions missile"}, {"stance": "confrontation"}]
    queries += [{"from": "2009", "to": "2014"}, {"from": "2014-03"}, {"page": "2"}]
    queries += [{"theme": slug} for slug in slugs["theme"]]
    queries += [{"theme": rng.sample(slugs["theme"], 2)} for _ in range(5)]
    queries += [{"period": slug} for slug in slugs["period"]]
    queries += [{"essay": slug, "stance": "cooperation"} for slug in slugs["essay"]]
    htmx = {"HX-Request": "true", "HX-Target": "results"}
    urls = []
    for query in queries:
        encoded = "/?" + urlencode(query, doseq=True) if query else "/"
        urls += [(encoded, {}), (encoded, htmx)]
        urls.append((encoded.replace("/", "/export/events.json", 1), {}))
    urls += [(f"/events/{slug}/", {}) for slug in slugs["event"]]
    urls += [(f"/essays/{slug}/", {}) for slug in slugs["essay"]]
    return urls


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--write-interval", type=float, default=0.05, help="seconds, ORM writer")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    args = parser.parse_args()
    if not (0 < args.seconds <= 300 and 0 < args.readers <= 64):
        parser.error("keep it bounded: --seconds up to 300, --readers up to 64")

    workdir = Path(tempfile.mkdtemp(prefix="relations-load-"))
    db_path = workdir / "db.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DATABASE_URL": f"sqlite:///{db_path}",
        "DJANGO_SUPERUSER_USERNAME": EDITOR,
        "DJANGO_SUPERUSER_PASSWORD": EDITOR_PASSWORD,
        "DJANGO_SUPERUSER_EMAIL": "editor@example.org",
    }
    print(f"Preparing {workdir} …", file=sys.stderr)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    manage(env, "load_timeline")
    manage(env, "createsuperuser", "--no-input")

    port = free_port()
    log_path = workdir / "gunicorn.log"
    server = subprocess.Popen(
        [GUNICORN, "relations.wsgi", "--bind", f"{HOST}:{port}", "--workers", str(args.workers),
         "--threads", str(args.threads), "--log-level", "warning", "--capture-output",
         "--error-logfile", str(log_path)],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                if Client(port).request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit(f"gunicorn did not start; see {log_path}")

        with sqlite3.connect(db_path) as db:
            pks = [row[0] for row in db.execute("SELECT id FROM timeline_event ORDER BY id")]
        urls = reader_urls(db_path)
        deadline = time.monotonic() + args.seconds
        orm = subprocess.Popen(
            [PYTHON, "-c", ORM_WRITER, json.dumps(pks[1::2]), str(args.seconds), MARKER.pattern,
             str(args.write_interval)],
            cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "relations.settings"},
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        admin = {"attempted": 0, "confirmed": [], "errors": [], "latencies": []}
        results, lock = [], threading.Lock()
        threads = [
            threading.Thread(target=reader, args=(port, urls, deadline, seed, results, lock))
            for seed in range(args.readers)
        ]
        threads.append(
            threading.Thread(target=admin_writer, args=(port, pks[::2], deadline, admin))
        )
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        orm_result = json.loads(orm.communicate(timeout=60)[0])
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    # Re-read: every confirmed save is in the history, and each event ends with its last one.
    with sqlite3.connect(db_path) as db:
        kept = set()
        for (summary,) in db.execute(
            "SELECT summary FROM timeline_historicalevent WHERE summary LIKE '%[bench-%'"
        ):
            kept.update(MARKER.findall(summary))
        current = dict(db.execute("SELECT id, summary FROM timeline_event"))
    confirmed = admin["confirmed"] + orm_result["confirmed"]
    last_tag = dict(confirmed)  # in order per writer; the two writers share no event
    lost = [tag for _, tag in confirmed if tag not in kept]
    lost += [tag for pk, tag in last_tag.items() if not current[pk].endswith(tag)]

    log = log_path.read_text(errors="replace")
    statuses = [status for _, status, _ in results]
    failed = [result for result in results if result[1] not in (200, BUSY)]
    latencies_ms = [elapsed * 1000 for _, _, elapsed in results]
    locked = log.count("database is locked") + sum(
        "database is locked" in error for error in admin["errors"] + orm_result["errors"]
    )
    report = {
        "seconds": round(elapsed, 1),
        "readers": args.readers,
        "gunicorn": f"{args.workers} workers × {args.threads} threads",
        "requests": len(results),
        "requests_per_second": round(len(results) / elapsed),
        "failures": len(failed),
        "5xx": sum(isinstance(s, int) and s >= 500 for s in statuses),
        "exports_asked_to_retry": statuses.count(BUSY),
        "database_is_locked": locked,
        "read_p50_ms": round(statistics.median(latencies_ms), 1),
        "read_p99_ms": round(percentile(latencies_ms, 0.99), 1),
        "admin_writes_attempted": admin["attempted"],
        "admin_writes_confirmed": len(admin["confirmed"]),
        "admin_save_p50_ms": round(statistics.median(admin["latencies"]) * 1000, 1)
        if admin["latencies"]
        else None,
        "orm_writes_attempted": orm_result["attempted"],
        "orm_writes_confirmed": len(orm_result["confirmed"]),
        "writes_lost": len(lost),
        "writer_errors": (admin["errors"] + orm_result["errors"])[:5],
    }
    for name, value in report.items():
        print(f"{name:>24}: {value}")
    if failed:
        print("failed requests (first 5):", failed[:5])
    ok = (
        not failed
        and not lost
        and not locked
        and not admin["errors"]
        and not orm_result["errors"]
        and len(confirmed) == admin["attempted"] + orm_result["attempted"]
    )
    if ok:
        shutil.rmtree(workdir)
    else:
        print(f"Kept {workdir} (database, gunicorn.log) for a look.")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
