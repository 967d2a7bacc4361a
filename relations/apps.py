from axes.apps import AppConfig as AxesConfig


class SignInLockoutsConfig(AxesConfig):
    """django-axes under a name an editor reads rightly ("Axes" reads as the time axis)."""

    verbose_name = "Sign-in lockouts"

    def ready(self):
        super().ready()
        from . import checks  # noqa: F401 -- registers the deploy check on the proxy settings
