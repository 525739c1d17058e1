"""The index for the cases near a point over every category (cases.selectors.cases_near).

A plain CREATE INDEX on both databases: unlike 0008 (a stored generated column SQLite cannot
add to a table with rows), an index on that column needs no rebuild of the table. On
PostgreSQL it holds writes to the cases while it is built (seconds for a million rows).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_case_location_fix"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["town", "cell", "submitted_at"], name="case_near_time"),
        ),
    ]
