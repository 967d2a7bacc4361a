"""How many failed sign-ins django-axes allows an account from one address (its
AXES_FAILURE_LIMIT, counted per account and address)."""

from axes.attempts import get_cool_off_threshold
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.db.models import Sum

FAILURES_FROM_ONE_ADDRESS = 5
# Enough for a few editors' typos at once; a guess spread over many addresses stops here.
FAILURES_FROM_ALL_ADDRESSES = 30


def failure_limit(request, credentials) -> int:
    """5, or none (the account is locked from every address) once the account has failed
    30 times within the cool-off from all addresses together. (Not a second lockout
    parameter: axes would share one limit between both, and a success would then clear
    the account's failures from every address.)"""
    failures = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        attempt_time__gte=get_cool_off_threshold(request),
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return 0 if (failures or 0) >= FAILURES_FROM_ALL_ADDRESSES else FAILURES_FROM_ONE_ADDRESS
