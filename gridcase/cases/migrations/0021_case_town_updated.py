"""The town's newest change of a case (max(updated_at) of the town) read from one index: part
of the exact key under which the town's assessment is kept (web/dashboard_cache.py).

Numbered 0021 after 0019: another branch adds 0020 at the same time; the lead joins the chain
when merging."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0020_case_followed_up_at"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["town", "updated_at"], name="case_town_updated"),
        ),
    ]
