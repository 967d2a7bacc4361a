"""The address a request came from, for django-axes' per-address lockout."""

from django.conf import settings


def client_address(request) -> str | None:
    """``REMOTE_ADDR``, or behind our reverse proxy the address it appended to
    X-Forwarded-For.

    Behind the proxy every request arrives from the proxy itself, so REMOTE_ADDR would put
    all editors behind one address. Only the last X-Forwarded-For entry is the proxy's own
    word; earlier ones are whatever the client sent and could be forged to dodge a lockout.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR")
