"""nginx with deploy/nginx/relations.conf in front of the two app servers: it serves the
static files itself, passes the scheme and the client's address as the settings expect,
shares the requests between the servers, and a reload of one loses no request."""

import gzip
import os
import re
import secrets
import signal
import threading
import time
from pathlib import Path

from .conftest import ADMIN, ADMIN_PASSWORD
from .visitor import Visitor


def test_static_files_come_from_nginx_compressed_and_cached(deployment):
    visitor = deployment.through_nginx()
    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', visitor.get("/").text)
    response = visitor.get(stylesheet.group(1), **{"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Type"] == "text/css"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"{" in gzip.decompress(response.body)

    # Not fingerprinted, so it may change: kept for a minute only.
    plain = visitor.get("/static/css/app.css")
    assert plain.status == 200
    assert plain.headers["Cache-Control"] == "public, max-age=60"
    assert not any(
        request.startswith("GET /static/")
        for server in deployment.servers
        for request, *_ in server.requests_seen()
    ), "a static file was asked of an app server"


def test_requests_reach_both_servers_with_the_scheme_and_the_client_address(deployment):
    probe = secrets.token_hex(4)
    visitor = deployment.through_nginx(source="127.0.0.2")
    for number in range(6):
        # Whatever a client claims in front, nginx appends the address it saw.
        response = visitor.get(f"/healthz?probe={probe}-{number}", **{"X-Forwarded-For": "1.2.3.4"})
        assert response.status == 200

    seen = {
        server.port: [entry[1:] for entry in server.requests_seen() if probe in entry[0]]
        for server in deployment.servers
    }
    assert all(seen.values()), f"nginx did not share the requests between the servers: {seen}"
    for entries in seen.values():
        assert set(map(tuple, entries)) == {("localhost", "https", "1.2.3.4, 127.0.0.2")}


def test_pages_over_https_are_secure_and_compressed_and_http_is_redirected(deployment):
    page = deployment.through_nginx().get("/", **{"Accept-Encoding": "gzip"})
    assert page.status == 200
    # Sent only on a request Django believes came over HTTPS: X-Forwarded-Proto reached it.
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert page.headers["Content-Encoding"] == "gzip"
    assert b'id="results"' in gzip.decompress(page.body)

    plain = Visitor(deployment.nginx_http_port).get("/essays/?a=1")
    assert plain.status == 301
    assert plain.headers["Location"] == "https://localhost/essays/?a=1"


def test_the_lockout_counts_the_address_nginx_saw(deployment):
    intruder = deployment.through_nginx(source="127.0.0.3")
    for attempt in range(5):
        intruder.headers["X-Forwarded-For"] = f"192.0.2.{attempt}"  # new each time: no use
        response = intruder.log_in(ADMIN, "not-the-password")
    assert response.status == 429
    assert intruder.log_in(ADMIN, ADMIN_PASSWORD).status == 429

    # Not nginx's own address: an editor elsewhere still signs in.
    assert deployment.through_nginx(source="127.0.0.4").log_in(ADMIN, ADMIN_PASSWORD).status == 302
    addresses = deployment.sql("SELECT DISTINCT host(ip_address) FROM axes_accessattempt")
    assert addresses == [("127.0.0.3",)]


def test_an_app_server_reloading_its_code_loses_no_request(deployment):
    """What `systemctl reload relations@PORT` does in an upgrade (deploy/systemd)."""
    server = deployment.servers[0]
    workers = worker_ids(server.process.pid)
    statuses, reloaded = [], threading.Event()

    def read():
        visitor = deployment.through_nginx()
        while not reloaded.is_set() or len(statuses) < 20:
            try:
                statuses.append(visitor.get("/healthz").status)
            except OSError as error:
                statuses.append(f"{type(error).__name__}: {error}")

    reader = threading.Thread(target=read)
    reader.start()
    os.kill(server.process.pid, signal.SIGHUP)
    try:
        for _ in range(300):
            now = worker_ids(server.process.pid)
            if len(now) == len(workers) and not now & workers:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not replace its workers")
    finally:
        reloaded.set()
        reader.join()
    assert set(statuses) == {200}


def worker_ids(pid: int) -> set[str]:
    """The processes whose parent is ``pid``, from /proc."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = stat.read_text().rsplit(")", 1)[1].split()[1]
        except OSError:
            continue  # ended meanwhile
        if parent == str(pid):
            children.add(stat.parent.name)
    return children
