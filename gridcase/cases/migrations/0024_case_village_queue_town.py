"""A village's queue index begins with the town (cases.models.Case.Meta): SQLite, without
statistics, read an officer's and a station's open cases through the duplicate check's
(town, village, category, submitted_at), the whole village, for each tab count (150 ms at a
million cases in a village); with (town, village, state, level) 6.5 ms. PostgreSQL reads it as
it read (village, state, level). A large PostgreSQL database builds it on every partition of
the cases (a minute at ten million)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0023_timeline_reviews_index'),
        ('org', '0002_boundaries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='case_village_queue_id',
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['town', 'village', 'state', 'level'], include=('grid', 'officer', 'accept_due', 'handle_due', 'category', 'id'), name='case_village_queue'),
        ),
    ]
