"""Security headers on every kind of response, htmx set up for the CSP, the friendly error
pages with DEBUG off, and the password rules."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from timeline.models import Event
from timeline.snapshot import Snapshot

pytestmark = pytest.mark.django_db


class Elements(HTMLParser):
    """Every start tag of a page, as (tag, attributes)."""

    def __init__(self, html):
        super().__init__()
        self.elements = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize(
    "url_name, htmx",
    [("timeline:index", False), ("timeline:index", True), ("admin:login", False)],
    ids=["timeline", "timeline-fragment", "admin-login"],
)
def test_every_page_carries_the_security_headers(
    client, small_timeline, htmx_headers, url_name, htmx
):
    response = client.get(reverse(url_name), headers=htmx_headers if htmx else {})
    assert response.status_code == 200
    directives = csp_directives(response)
    # This origin, plus the response's nonce when the page used one.
    assert directives["script-src"][0] == "'self'"
    assert all(re.fullmatch(r"'nonce-[\w-]+'", value) for value in directives["script-src"][1:])
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_scripts_carry_this_responses_nonce_and_none_is_inline(client, small_timeline):
    response = client.get(reverse("timeline:index"))
    nonce = csp_directives(response)["script-src"][1].removeprefix("'nonce-").removesuffix("'")
    scripts = [attrs for tag, attrs in Elements(response.text).elements if tag == "script"]
    assert scripts
    for attrs in scripts:
        assert attrs.get("src"), "an inline script would need 'unsafe-inline'"
        assert attrs.get("nonce") == nonce


def test_htmx_is_configured_for_the_csp(client, small_timeline):
    elements = Elements(client.get(reverse("timeline:index")).text).elements
    (config,) = [
        a["content"] for t, a in elements if t == "meta" and a.get("name") == "htmx-config"
    ]
    config = json.loads(config)
    assert config["allowEval"] is False  # no hx-on, no eval'd trigger filters
    assert config["allowScriptTags"] is False  # swapped-in <script> never runs
    assert config["selfRequestsOnly"] is True
    assert config["historyCacheSize"] == 0  # no page copies kept in localStorage
    assert config["includeIndicatorStyles"] is False  # htmx would inject an inline <style>
    handlers = [
        (tag, name) for tag, attrs in elements for name in attrs if name.startswith(("on", "hx-on"))
    ]
    assert handlers == []


@pytest.fixture
def production_client(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def assert_friendly(response, status, heading):
    assert response.status_code == status
    body = response.text
    assert heading in body
    for leak in ("Traceback", "Exception", "settings.py", "DEBUG", "SELECT ", "Request Method"):
        assert leak not in body


def test_unknown_pages_get_the_friendly_404(production_client, small_timeline):
    response = production_client.get("/events/no-such-event-zq/")
    assert_friendly(response, 404, "Page not found")
    assert "no-such-event-zq" not in response.text
    assert_friendly(production_client.get("/nowhere/<script>/"), 404, "Page not found")


def test_an_unexpected_error_gets_the_friendly_500_without_details(
    production_client, small_timeline, monkeypatch
):
    def broken():
        raise RuntimeError("secret-internal-detail")

    monkeypatch.setattr(Snapshot, "load", broken)
    response = production_client.get(reverse("timeline:index"))
    assert_friendly(response, 500, "Something went wrong on our side")
    assert "secret-internal-detail" not in response.text


def test_a_forged_host_gets_the_friendly_400(production_client):
    response = production_client.get("/", headers={"host": "attacker.example"})
    assert_friendly(response, 400, "Bad request")
    assert "attacker.example" not in response.text


def test_a_form_without_csrf_token_gets_the_friendly_403(settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "a", "password": "b"})
    assert_friendly(response, 403, "Not allowed")
    assert "CSRF" not in response.text


def test_an_edit_without_csrf_token_is_refused(admin_user, small_timeline):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    event = small_timeline["events"]["new_start"]
    url = reverse("admin:timeline_event_delete", args=[event.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("password", ["short-pw-11", "password1234", "123456789012"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_password_is_accepted():
    validate_password("violet-harbour-teaspoon-42")
