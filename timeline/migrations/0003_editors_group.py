"""The "timeline editors" group: everything needed to edit the timeline's data and see its
history in the admin, nothing else (no users, groups or other apps)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "timeline editors"
EDITED_MODELS = ["event", "essay", "citation", "theme", "period", "eventlink", "eventrelation"]
HISTORY_MODELS = ["historicalevent", "historicalessay", "historicalcitation", "historicaltheme",
                  "historicalperiod"]


def permission_codenames():
    return [
        f"{action}_{model}"
        for model in EDITED_MODELS
        for action in ("add", "change", "delete", "view")
    ] + [f"view_{model}" for model in HISTORY_MODELS]


def create_editors_group(apps, schema_editor):
    """Create the group, or complete it: running it again changes nothing."""
    alias = schema_editor.connection.alias
    # Permissions are normally created after all migrations have run; on a fresh database
    # they must exist now to be given to the group.
    app_config = apps.get_app_config("timeline")
    # Put back what was there: run with the live registry (as a test does), None would hide
    # the app's models from dumpdata and others for the rest of the process.
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=alias)
    finally:
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(alias).get_or_create(name=GROUP_NAME)
    codenames = permission_codenames()
    permissions = Permission.objects.using(alias).filter(
        content_type__app_label="timeline", codename__in=codenames
    )
    missing = set(codenames) - {permission.codename for permission in permissions}
    if missing:
        raise RuntimeError(f"Permissions not found: {', '.join(sorted(missing))}")
    group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("timeline", "0002_history_and_version"),
    ]

    operations = [
        # Kept on the way back: editors may belong to the group.
        migrations.RunPython(create_editors_group, migrations.RunPython.noop),
    ]
