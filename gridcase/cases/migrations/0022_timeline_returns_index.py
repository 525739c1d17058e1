"""The timeline's returns in an index of their own (partial: action = 'return'), so that "returned
to me and not yet acted on" (web.selectors.RETURNED) reads the few returns, not every month's
rows: at a million cases PostgreSQL scanned every partition of the timeline for them (0.3 s of
the town center's "returned" tab, bench/README.md). On PostgreSQL the index is made on the
partitioned table, so every month's partition has it, the coming ones too."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0021_case_town_updated"),
        ("org", "0002_boundaries"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="timelineentry",
            index=models.Index(
                condition=models.Q(("action", "return")),
                fields=["case", "to_level", "at"],
                name="timeline_returns",
            ),
        ),
    ]
