"""The queue indexes for the queue tabs' page of ids (issue 15, web/keyset.py): the town's
with the category as its last key column (a category filter's tab counts on SQLite) and the
officer included; the village's with the id included. Each new one is added before the old
one is removed: no moment without either."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_attachment_once_per_case"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["town", "state", "level", "category"],
                include=("accept_due", "handle_due", "id", "officer"),
                name="case_town_queue_cat",
            ),
        ),
        migrations.RemoveIndex(
            model_name="case",
            name="case_town_queue",
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["village", "state", "level"],
                include=(
                    "town",
                    "grid",
                    "officer",
                    "accept_due",
                    "handle_due",
                    "category",
                    "id",
                ),
                name="case_village_queue_id",
            ),
        ),
        migrations.RemoveIndex(
            model_name="case",
            name="case_village_queue",
        ),
    ]
