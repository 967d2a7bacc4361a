from django.apps import AppConfig


class TimelineConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self):
        from . import models, versioning

        versioning.connect_signals(models)
