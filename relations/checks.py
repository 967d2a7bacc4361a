"""`manage.py check --deploy` on the reverse-proxy settings."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def proxy_addresses_named(app_configs, **kwargs):
    """Behind a proxy whose addresses are not named, a client that reaches the app directly
    names its own address in X-Forwarded-For and so escapes the per-address lockout."""
    if settings.BEHIND_PROXY and not settings.PROXY_ADDRESSES:
        return [
            Warning(
                "DJANGO_BEHIND_PROXY=1 but DJANGO_PROXY_ADDRESSES is empty: X-Forwarded-For "
                "is believed from any client, so one that reaches the app without the proxy "
                "can pick its own address for the sign-in lockout.",
                hint="Set DJANGO_PROXY_ADDRESSES to the addresses the proxy connects from, "
                "e.g. 127.0.0.1.",
                id="relations.W001",
            )
        ]
    return []
