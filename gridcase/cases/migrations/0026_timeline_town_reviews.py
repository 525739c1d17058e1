"""The timeline's reviews indexed by town (partial: action = 'review'): the assessment reads the
latest review of a period's cases in one query (assessment.facts.period_reviews), a range of
each month's partition, instead of a subquery per case that probed every month's partition —
half of the database's work for a province's quarter (bench/README.md). The index by case
(timeline_reviews, cases 0023) had no other reader."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0025_awaiting_follow_up_category"),
        ("org", "0002_boundaries"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="timelineentry",
            name="timeline_reviews",
        ),
        migrations.AddIndex(
            model_name="timelineentry",
            index=models.Index(
                condition=models.Q(("action", "review")),
                fields=["town", "case", "at", "id"],
                name="timeline_town_reviews",
            ),
        ),
    ]
