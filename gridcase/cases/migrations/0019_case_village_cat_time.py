"""The duplicate check's village candidates (assessment/integrity.py, integrity.md: the same
village when either case has no point) read from one range of (town, village,
category, submitted_at), newest first, instead of every category of the village in the window."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_case_number_prefix"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["town", "village", "category", "submitted_at"],
                name="case_village_cat_time",
            ),
        ),
    ]
