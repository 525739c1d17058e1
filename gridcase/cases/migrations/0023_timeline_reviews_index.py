"""The timeline's reviews in an index of their own (partial: action = 'review'): the assessment
reads each case's latest review of the governance office (assessment.facts.period_cases, one
lookup per case), which walked the (case, at) index of every month's partition — 23 of them at
a million cases, 8.5 million buffer reads for a quarter's 126,485 cases (bench/README.md)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0022_timeline_returns_index'),
        ('org', '0002_boundaries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='timelineentry',
            index=models.Index(condition=models.Q(('action', 'review')), fields=['case', 'at', 'id'], name='timeline_reviews'),
        ),
    ]
