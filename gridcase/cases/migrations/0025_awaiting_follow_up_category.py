"""The village's awaiting-follow-up index holds the category as a column (cases.models.Case.Meta):
under a category filter SQLite counted a village's follow-ups through the village's queue index
(cases 0024: every closed case of the village, 143 ms at a million) since this one, without the
category, did not cover the count. A partial index: only the cases awaiting their follow-up."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0024_case_village_queue_town'),
        ('org', '0002_boundaries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='case_awaiting_follow_up_vil',
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('follow_up_due__isnull', False), ('followed_up_at__isnull', True), ('state', 'closed')), fields=['town', 'village', 'follow_up_due', 'grid', 'officer', 'state', 'followed_up_at', 'category'], include=('id',), name='case_awaiting_follow_up_vil'),
        ),
    ]
