from django.apps import AppConfig


class TimelineConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import models, versioning

        versioning.connect_signals(models)
        for signal in (post_save, post_delete):
            signal.connect(
                models.refresh_event_search_text,
                sender=models.Citation,
                dispatch_uid=f"search-text-{signal is post_save}",
            )
