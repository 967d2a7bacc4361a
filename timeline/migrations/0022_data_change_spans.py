import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0021_data_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="datachange",
            name="spans_text",
            field=models.TextField(
                blank=True, validators=[django.core.validators.ProhibitNullCharactersValidator()]
            ),
        ),
        migrations.AddField(
            model_name="datachange",
            name="events_added",
            field=models.IntegerField(default=0),
        ),
    ]
