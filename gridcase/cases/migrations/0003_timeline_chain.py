# The case timeline's chain columns (filled by 0004, made required by 0005). Three
# migrations, three transactions: PostgreSQL refuses to ALTER a table with pending
# foreign-key checks from rows updated in the same transaction.

import django.db.models.deletion
from django.db import migrations, models



class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0002_initial'),
        ('core', '0003_audit_trail'),
        ('org', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='timelineentry',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='timeline', to='cases.case'),
        ),
        migrations.AddField(
            model_name='timelineentry',
            name='town',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.town'),
        ),
        migrations.AddField(
            model_name='timelineentry',
            name='seq',
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name='链序号'),
        ),
        migrations.AddField(
            model_name='timelineentry',
            name='prev_hash',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='前一条哈希'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='timelineentry',
            name='hash',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='哈希'),
            preserve_default=False,
        ),
    ]
