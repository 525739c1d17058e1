"""The awaiting-follow-up indexes put the state and followed_up_at (fixed by their condition)
before the due date (cases.models.Case.Meta): SQLite, without statistics, read a follow-up count
that cannot be answered from the index alone — a search for a gram in most cases, tested on each
row (cases.search.COMMON) — through the queue index's (town, state), every closed case of the
town (1.3–2.8 s at a million); with (town, state, followed_up_at, due date >) the waiting ones
only. The town's index covers its columns on SQLite too (core.indexes.CoveringIndex). A large
PostgreSQL database builds them on every partition of the cases (they hold a few percent of the
closed cases)."""

import gridcase.core.indexes
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0027_town_queue_covering_on_sqlite'),
        ('org', '0002_boundaries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='case_awaiting_follow_up_town',
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='case_awaiting_follow_up_vil',
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('follow_up_due__isnull', False), ('followed_up_at__isnull', True), ('state', 'closed')), fields=['town', 'village', 'state', 'followed_up_at', 'follow_up_due', 'grid', 'officer', 'category'], include=('id',), name='case_awaiting_follow_up_vil'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=gridcase.core.indexes.CoveringIndex(condition=models.Q(('follow_up_due__isnull', False), ('followed_up_at__isnull', True), ('state', 'closed')), fields=['town', 'state', 'followed_up_at', 'follow_up_due', 'officer'], include=('category', 'id'), name='case_awaiting_follow_up_town'),
        ),
    ]
