"""The deployment of docs/deploy.md on this machine, started once per session: a fresh
PostgreSQL database, Redis, two gunicorn app servers started as the shipped systemd unit
starts them, with the shipped environment, and nginx with the shipped site config in front
of them, each with only its ports and paths swapped for the test's. Without nginx,
PostgreSQL or Redis these tests are skipped, except under CI, where they fail."""

import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis

from .visitor import Visitor

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
GUNICORN = Path(sys.executable).with_name("gunicorn")
# The server the app's DATABASE_URL names when it is PostgreSQL, else the local one.
POSTGRES = (
    os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    if os.environ.get("DATABASE_URL", "").startswith("postgres")
    else "postgres://postgres@127.0.0.1:5432"
)
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
ADMIN, ADMIN_PASSWORD = "admin", secrets.token_urlsafe(24)
# What each app server logs of a request: what nginx passed on, to be read back by the tests.
ACCESS_LOG_FORMAT = "%(r)s|%({host}i)s|%({x-forwarded-proto}i)s|%({x-forwarded-for}i)s"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/deploy/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.deploy)


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI needs {reason}", pytrace=False)
    pytest.skip(f"needs {reason}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class AppServer:
    port: int
    process: subprocess.Popen
    access_log: Path

    def visitor(self) -> Visitor:
        """A visitor talking to this server directly, with the headers nginx would add."""
        return Visitor(self.port, headers={"X-Forwarded-Proto": "https"}, scheme="https")

    def requests_seen(self) -> list[list[str]]:
        """Each request logged: request line, Host, X-Forwarded-Proto, X-Forwarded-For."""
        return [line.split("|") for line in self.access_log.read_text().splitlines()]


@dataclass
class Deployment:
    servers: list[AppServer]
    nginx_http_port: int
    nginx_https_port: int
    database_url: str
    cache: redis.Redis
    cache_prefix: str

    def through_nginx(self, source: str = "127.0.0.1") -> Visitor:
        """A visitor of the site over HTTPS, connecting from ``source`` (a loopback address)."""
        return Visitor(self.nginx_https_port, tls=True, source=source)

    def sql(self, statement: str, *params) -> list[tuple]:
        with psycopg.connect(self.database_url) as connection:
            return connection.execute(statement, params).fetchall()

    def cached_keys(self) -> set[bytes]:
        return set(self.cache.scan_iter(f"{self.cache_prefix}:*"))


@pytest.fixture(scope="session")
def deployment(tmp_path_factory):
    for path, package in ((NGINX, "nginx"), (shutil.which("openssl"), "openssl")):
        if not path or not Path(path).exists():
            unavailable(f"{package} (apt-get install {package}) for the deployment tests")
    cache = redis.Redis.from_url(REDIS, socket_timeout=3)
    try:
        cache.ping()
    except redis.RedisError as error:
        unavailable(f"a Redis server at {REDIS} for the deployment tests ({error})")
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        unavailable(f"a PostgreSQL server at {POSTGRES} for the deployment tests ({error})")

    work = tmp_path_factory.mktemp("deployment")
    name = f"relations_deploy_{secrets.token_hex(6)}"
    database_url = f"{POSTGRES}/{name}"
    cache_prefix = f"relations-test-{secrets.token_hex(6)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    processes = []
    try:
        app_ports = [free_port(), free_port()]
        http_port, https_port = free_port(), free_port()
        env = app_environment(
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1",
            # Browsers send the port in Origin; nginx passes the host without it.
            DJANGO_CSRF_TRUSTED_ORIGINS=f"https://localhost:{https_port}",
            DJANGO_STATIC_ROOT=str(work / "static"),
            DATABASE_URL=database_url,
            REDIS_URL=REDIS,
            DJANGO_CACHE_KEY_PREFIX=cache_prefix,
        )
        prepare_site(env)
        servers = []
        for port in app_ports:
            servers.append(start_app_server(port, env, work))
            processes.append(servers[-1].process)
        make_certificate(work / "tls")
        processes.append(start_nginx(work, app_ports, http_port, https_port))
        for server in servers:
            wait_until_serving(server.visitor, processes, work)
        site = Deployment(servers, http_port, https_port, database_url, cache, cache_prefix)
        wait_until_serving(site.through_nginx, processes, work)
        yield site
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        keys = list(cache.scan_iter(f"{cache_prefix}:*"))
        if keys:
            cache.delete(*keys)


def app_environment(**values) -> dict:
    """The shipped example environment file, with the values only a test run can know."""
    example = (DEPLOY / "relations.env.example").read_text().splitlines()
    shipped = dict(
        line.split("=", 1) for line in example if line.strip() and not line.startswith("#")
    )
    assert set(values) <= set(shipped), "the example environment lacks a setting the test sets"
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_") and name not in {"DATABASE_URL", "REDIS_URL"}
    }
    return {**inherited, **shipped, **values}


def prepare_site(env: dict):
    """What docs/deploy.md does once: migrate, collect the static files, load the dataset,
    create the first account; in one process to start Django once."""
    code = (
        "import django; from django.core.management import call_command; django.setup()\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        "call_command('collectstatic', interactive=False, verbosity=0)\n"
        "call_command('load_timeline', verbosity=0)\n"
        "call_command('createsuperuser', interactive=False, verbosity=0)\n"
    )
    account = {
        "DJANGO_SUPERUSER_USERNAME": ADMIN,
        "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD,
        "DJANGO_SUPERUSER_EMAIL": "admin@example.org",
        "DJANGO_SETTINGS_MODULE": "relations.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, **account},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr


def start_app_server(port: int, env: dict, work: Path) -> AppServer:
    """gunicorn as relations@PORT.service starts it, logging what it is sent."""
    log = (work / f"app-{port}.errors").open("w")
    command = [
        *unit_command(port, work),
        "--access-logfile",
        work / f"app-{port}.log",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    return AppServer(port, process, work / f"app-{port}.log")


def unit_command(port: int, work: Path) -> list[str]:
    """The ExecStart of deploy/systemd/relations@.service for instance ``port``, with this
    checkout, its virtualenv and ``work`` in place of the server's paths."""
    unit = (DEPLOY / "systemd" / "relations@.service").read_text().replace("\\\n", " ")
    (line,) = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    swaps = {
        "/srv/relations/.venv/bin/gunicorn": str(GUNICORN),
        "/run/relations-%i/": f"{work}/app-%i-",
        "/srv/relations/": f"{ROOT}/",
        "%i": str(port),
    }
    for shipped, swapped in swaps.items():
        assert shipped in line, f"relations@.service's ExecStart no longer has {shipped!r}"
        line = line.replace(shipped, swapped)
    return shlex.split(line.removeprefix("ExecStart="))


def make_certificate(folder: Path):
    """A self-signed certificate for localhost, where the shipped config expects Let's
    Encrypt's."""
    folder.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", folder / "privkey.pem", "-out", folder / "fullchain.pem"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip


def start_nginx(work: Path, app_ports, http_port: int, https_port: int) -> subprocess.Popen:
    """nginx in the foreground with deploy/nginx/relations.conf, its ports and paths swapped,
    inside a main config like Debian's whose pid, logs and temporary files are in ``work``."""
    site = (DEPLOY / "nginx" / "relations.conf").read_text()
    swaps = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "server 127.0.0.1:8001;": f"server 127.0.0.1:{app_ports[0]};",
        "server 127.0.0.1:8002;": f"server 127.0.0.1:{app_ports[1]};",
        "/etc/letsencrypt/live/timeline.example.org/": f"{work}/tls/",
        "/srv/relations/staticfiles/": f"{work}/static/",
    }
    for shipped, swapped in swaps.items():
        assert shipped in site, f"deploy/nginx/relations.conf no longer has {shipped!r}"
        site = site.replace(shipped, swapped)
    (work / "relations.conf").write_text(site)
    temporary = "\n".join(
        f"    {kind}_temp_path {work}/nginx-{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx's workers would run as nobody, who cannot read pytest's temporary files.
    user = "user root;" if os.geteuid() == 0 else ""
    (work / "nginx.conf").write_text(
        f"""{user}
daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {work}/nginx-access.log;
{temporary}
    include {work}/relations.conf;
}}
"""
    )
    log = (work / "nginx.out").open("w")
    return subprocess.Popen(
        [NGINX, "-p", work, "-c", work / "nginx.conf", "-e", work / "nginx-error.log"],
        stdout=log,
        stderr=log,
    )


def wait_until_serving(visitor_for, processes, work: Path):
    for _ in range(300):
        if any(process.poll() is not None for process in processes):
            break
        try:
            if visitor_for().get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    logs = "\n".join(f"--- {log.name}\n{log.read_text()[-2000:]}" for log in work.glob("*.err*"))
    raise AssertionError(f"the deployment did not start\n{logs}")
