from axes.apps import AppConfig as AxesConfig


class SignInLockoutsConfig(AxesConfig):
    """django-axes under a name an editor reads rightly ("Axes" reads as the time axis)."""

    verbose_name = "Sign-in lockouts"
