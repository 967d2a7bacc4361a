"""The production settings (DJANGO_DEBUG=0), each read from the environment in a fresh Python
process, as a server would start: refusing a missing key, HTTPS or plain HTTP on loopback,
the proxy header, allowed hosts, and SQLite tuned for concurrent use."""

import json
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

# Makes requests with Django's test client and prints what a browser would see.
REQUESTS = """
import json, django
django.setup()
from django.test import Client

def seen(response):
    return {
        "status": response.status_code,
        "location": response.headers.get("Location"),
        "headers": dict(response.headers),
        "cookies": {
            name: {"secure": bool(morsel["secure"]), "path": morsel["path"]}
            for name, morsel in response.cookies.items()
        },
        "body": response.content.decode(errors="replace"),
    }

results = {}
for name, (path, host, extra) in json.loads(%r).items():
    client = Client(HTTP_HOST=host, raise_request_exception=False)
    results[name] = seen(client.get(path, **extra))
print(json.dumps(results))
"""


MIGRATE = "from django.core.management import call_command\ncall_command('migrate', verbosity=0)\n"


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected once, as production serves them (fingerprinted names)."""
    root = tmp_path_factory.mktemp("static")
    result = run_python(
        "import django; from django.core.management import call_command; django.setup(); "
        "call_command('collectstatic', interactive=False, verbosity=0)",
        root,
        **production(DJANGO_STATIC_ROOT=str(root)),
    )
    assert result.returncode == 0, result.stderr
    return root


def run_python(code: str, tmp_path: Path, **env) -> subprocess.CompletedProcess:
    """Run ``code`` with the settings built from ``env`` alone (no DJANGO_* inherited)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_") and name != "DATABASE_URL"
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="relations.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(**env) -> dict:
    return {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), **env}


def get(tmp_path, static_root, requests: dict, migrated=False, **env) -> dict:
    """``requests``: name → (path, Host header, extra request META); ``migrated``: on a
    database with the app's tables, for the pages that read them."""
    env.setdefault("DJANGO_STATIC_ROOT", str(static_root))
    code = REQUESTS % json.dumps(requests)
    if migrated:
        code = code.replace("django.setup()\n", f"django.setup()\n{MIGRATE}", 1)
    result = run_python(code, tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "key",
    [None, "", "django-insecure-local-development-only", "short-key"],
    ids=["missing", "empty", "development-key", "short"],
)
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, key):
    env = {"DJANGO_DEBUG": "0"}
    if key is not None:
        env["DJANGO_SECRET_KEY"] = key
    result = run_python("import django; django.setup()", tmp_path, **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set to a long random value" in result.stderr


def deploy_check(tmp_path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            **production(**env),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_the_default_https_settings(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_behind_a_proxy_until_its_addresses_are_named(tmp_path):
    readme = {
        "DJANGO_ALLOWED_HOSTS": "timeline.example.org",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://timeline.example.org",
        "DJANGO_BEHIND_PROXY": "1",
    }
    unnamed = deploy_check(tmp_path, **readme)
    assert unnamed.returncode != 0
    assert "relations.W001" in unnamed.stderr + unnamed.stdout
    named = deploy_check(tmp_path, DJANGO_PROXY_ADDRESSES="127.0.0.1", **readme)
    assert named.returncode == 0, named.stdout + named.stderr
    assert "no issues" in named.stdout


def test_https_production_redirects_sets_hsts_and_host_only_secure_cookies(tmp_path, static_root):
    seen = get(
        tmp_path,
        static_root,
        {
            "plain": ["/healthz", "localhost", {}],
            "secure": ["/healthz", "localhost", {"secure": True}],
            "login": ["/admin/login/", "localhost", {"secure": True}],
            "forged_proto": ["/healthz", "localhost", {"HTTP_X_FORWARDED_PROTO": "https"}],
        },
        **production(),
    )
    assert seen["plain"]["status"] == 301
    assert seen["plain"]["location"] == "https://localhost/healthz"
    hsts = seen["secure"]["headers"]["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts
    cookies = seen["login"]["cookies"]
    assert set(cookies) == {"__Host-csrftoken"}
    assert cookies["__Host-csrftoken"] == {"secure": True, "path": "/"}
    # Without DJANGO_BEHIND_PROXY, a client cannot claim HTTPS with a header.
    assert seen["forged_proto"]["status"] == 301


def test_behind_a_proxy_its_https_header_is_trusted(tmp_path, static_root):
    seen = get(
        tmp_path,
        static_root,
        {"via_proxy": ["/healthz", "localhost", {"HTTP_X_FORWARDED_PROTO": "https"}]},
        **production(DJANGO_BEHIND_PROXY="1"),
    )
    assert seen["via_proxy"]["status"] == 200
    assert "Strict-Transport-Security" in seen["via_proxy"]["headers"]


def test_plain_http_production_on_loopback_keeps_everything_but_https(tmp_path, static_root):
    seen = get(
        tmp_path,
        static_root,
        {
            "page": ["/healthz", "127.0.0.1", {}],
            "login": ["/admin/login/", "127.0.0.1", {}],
        },
        **production(DJANGO_HTTPS="0"),
    )
    assert seen["page"]["status"] == 200
    assert "Strict-Transport-Security" not in seen["page"]["headers"]
    assert seen["login"]["status"] == 200
    assert seen["login"]["cookies"] == {"csrftoken": {"secure": False, "path": "/"}}
    headers = seen["login"]["headers"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_allowed_hosts_come_from_the_environment(tmp_path, static_root):
    seen = get(
        tmp_path,
        static_root,
        {
            "ours": ["/healthz", "timeline.example.org", {"secure": True}],
            "other": ["/healthz", "attacker.example", {"secure": True}],
        },
        **production(DJANGO_ALLOWED_HOSTS="timeline.example.org"),
    )
    assert seen["ours"]["status"] == 200
    assert seen["other"]["status"] == 400
    assert "Bad request" in seen["other"]["body"]
    assert "attacker.example" not in seen["other"]["body"]


def test_a_disallowed_host_gets_its_400_with_the_security_headers(tmp_path, static_root):
    seen = get(
        tmp_path,
        static_root,
        {
            # Over HTTPS CommonMiddleware refuses it; over HTTP already the redirect to HTTPS.
            "secure": ["/", "evil.example", {"secure": True}],
            "plain": ["/", "evil.example", {}],
        },
        **production(DJANGO_ALLOWED_HOSTS="timeline.example.org"),
    )
    for response in seen.values():
        assert response["status"] == 400
        headers = response["headers"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
    assert seen["secure"]["headers"]["X-Content-Type-Options"] == "nosniff"


PRAGMAS = """
import json, sqlite3, django
django.setup()
from django.db import connection, transaction
with connection.cursor() as cursor:
    pragmas = {
        name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "busy_timeout", "synchronous", "foreign_keys")
    }
# Another connection that would rather fail than wait: can it start writing while a Django
# transaction is open but has not written yet?
with transaction.atomic():
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        write_lock_taken_at_begin = False
    except sqlite3.OperationalError:
        write_lock_taken_at_begin = True
print(json.dumps({
    "pragmas": pragmas,
    "atomic_requests": connection.settings_dict["ATOMIC_REQUESTS"],
    "write_lock_taken_at_begin": write_lock_taken_at_begin,
}))
"""


@pytest.mark.parametrize("debug", ["1", "0"], ids=["development", "production"])
def test_sqlite_connections_are_set_up_for_concurrent_use(tmp_path, debug):
    env = production() if debug == "0" else {"DJANGO_DEBUG": "1"}
    result = run_python(PRAGMAS, tmp_path, **env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["pragmas"]["journal_mode"] == "wal"  # readers never wait for a writer
    assert seen["pragmas"]["busy_timeout"] >= 5000  # a writer waits its turn, in ms
    assert seen["pragmas"]["synchronous"] == 1  # NORMAL: safe with WAL, fewer fsyncs
    assert seen["pragmas"]["foreign_keys"] == 1
    assert seen["write_lock_taken_at_begin"] is True  # transaction_mode IMMEDIATE
    assert seen["atomic_requests"] is False


def test_the_embed_may_be_framed_only_by_the_origins_named(tmp_path, static_root):
    seen = get(
        tmp_path,
        static_root,
        {"embed": ["/embed/", "localhost", {}], "timeline": ["/", "localhost", {}]},
        migrated=True,
        **production(
            DJANGO_HTTPS="0",
            DJANGO_EMBED_ORIGINS="https://lms.example.edu, https://*.instructure.com",
        ),
    )
    assert seen["embed"]["status"] == 200
    embed_policy = seen["embed"]["headers"]["Content-Security-Policy"]
    assert "frame-ancestors https://lms.example.edu https://*.instructure.com" in embed_policy
    assert "X-Frame-Options" not in seen["embed"]["headers"]
    assert "frame-ancestors 'none'" in seen["timeline"]["headers"]["Content-Security-Policy"]
    assert seen["timeline"]["headers"]["X-Frame-Options"] == "DENY"


def test_an_embed_origin_that_is_no_origin_stops_the_start(tmp_path):
    result = run_python(
        "import django; django.setup()",
        tmp_path,
        **production(DJANGO_EMBED_ORIGINS="https://lms.example.edu; script-src *"),
    )
    assert result.returncode != 0
    assert "DJANGO_EMBED_ORIGINS" in result.stderr and "is not an origin" in result.stderr
