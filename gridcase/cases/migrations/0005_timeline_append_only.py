# The timeline's chain columns become required, unique per town, and the table append-only.

import django.db.models.deletion
from django.db import migrations, models

from gridcase.core import append_only


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_timeline_chain_existing'),
    ]

    operations = [
        migrations.AlterField(
            model_name='timelineentry',
            name='town',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.town'),
        ),
        migrations.AlterField(
            model_name='timelineentry',
            name='seq',
            field=models.PositiveBigIntegerField(editable=False, verbose_name='链序号'),
        ),
        migrations.AddConstraint(
            model_name='timelineentry',
            constraint=models.UniqueConstraint(fields=('town', 'seq'), name='timeline_chain_seq_unique'),
        ),
        append_only.migration_operation('cases_timelineentry'),
    ]
