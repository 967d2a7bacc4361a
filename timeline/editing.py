"""What keeps editors' work safe in the admin: every save kept in a history that can be
reverted, and an event form that refuses to overwrite a version saved since it was shown."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.utils import dateformat, timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from .models import Event


class HistoryAdmin(SimpleHistoryAdmin):
    """A model admin with a History page: each save with who, when and what changed, and a
    Revert button on every earlier version."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a posted revert for anyone allowed to *view* the
        # history; a revert changes the object, so it takes the change permission.
        if request.method == "POST" and not self.has_change_history_permission(request):
            raise PermissionDenied
        # One transaction, like the admin's own change form: the reverted fields and themes
        # are saved together, and the event form's version check holds its lock to the end.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)


class EventAdminForm(forms.ModelForm):
    """The event form, remembering the version it showed (optimistic locking).

    Saving checks that version against the stored one under a row lock, so of two editors
    who opened the same event, the second to save is told instead of silently overwriting
    the first. Every save of an event, by anyone or the loader, raises its version.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Also right on a revert form: its instance takes fields kept out of the history,
            # the version among them, from the stored event.
            self.fields["loaded_version"].initial = self.instance.version
            past = getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
            if past is not None:
                # Reverting restores that version's themes, not today's.
                self.initial["themes"] = [row.theme_id for row in past.themes.all()]

    def clean(self):
        cleaned = super().clean()
        # The main theme is always one of the event's themes.
        if cleaned.get("main_theme") and "themes" in cleaned:
            cleaned["themes"] = [*cleaned["themes"], cleaned["main_theme"]]
        if self.instance.pk:
            stored = (
                Event.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if stored != cleaned.get("loaded_version"):
                raise ValidationError(self.conflict_message(), code="changed_meanwhile")
        return cleaned

    def conflict_message(self) -> str:
        latest = self.instance.history.select_related("history_user").first()
        by = ""
        if latest is not None:
            when = dateformat.format(timezone.localtime(latest.history_date), "j M Y, H:i T")
            who = latest.history_user.get_username() if latest.history_user else "a script"
            by = f" (by {who}, {when})"
        return (
            f"This event was saved by someone else{by} after you opened it, so your changes "
            "were not saved: they would have overwritten theirs. Open the event again to see "
            "the current version, then make your changes there."
        )
