"""The town-wide queues' index with the deadlines included (index-only counts on PostgreSQL;
SQLite ignores INCLUDE). Added before the old one is removed: no moment without either."""


from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0012_case_search'),
        ('org', '0002_boundaries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['town', 'state', 'level'], include=('accept_due', 'handle_due', 'id'), name='case_town_queue'),
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='cases_case_town_id_3f39a0_idx',
        ),
    ]
