"""The address a request came from, for django-axes' per-address lockout."""

from django.conf import settings


def client_address(request) -> str | None:
    """``REMOTE_ADDR``, or behind our reverse proxy the address it appended to
    X-Forwarded-For.

    Behind the proxy every request arrives from the proxy itself, so REMOTE_ADDR would put
    all editors behind one address. Only the last X-Forwarded-For entry is the proxy's own
    word; earlier ones are whatever the client sent and could be forged to dodge a lockout.
    With DJANGO_PROXY_ADDRESSES set, a request from anywhere else is not the proxy's, and
    its X-Forwarded-For is the client's own.
    """
    remote = request.META.get("REMOTE_ADDR")
    from_proxy = not settings.PROXY_ADDRESSES or remote in settings.PROXY_ADDRESSES
    if settings.BEHIND_PROXY and from_proxy:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    return remote
