"""The case timeline partitioned by month on PostgreSQL (gridcase/core/partitions.py).

The models do not change: the same columns, indexes and foreign keys serve them, so on SQLite
this does nothing, and going back needs nothing undone (a partitioned table serves the
earlier migrations' models as well)."""

from django.conf import settings
from django.db import migrations

from gridcase.core import append_only, clock, partitions


def partition(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    today = clock.today(settings.TIME_ZONE)
    for table, column in partitions.PARTITIONED.items():
        if not partitions.is_partitioned(connection, table):
            partitions.partition_table(connection, table, column, today)
            append_only.install(connection, table)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_trail"),
        ("cases", "0010_case_near_index"),
    ]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop)]
