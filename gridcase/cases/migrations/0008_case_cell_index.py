"""The grid cell of a case's point as a generated column (cases/cells.py), and the place-and-time
index on it instead of the one on (latitude, longitude).

The database computes the cell of every existing row while the column is added (no data
migration). SQLite cannot ALTER TABLE ADD COLUMN a STORED generated column into a table that
has rows ("cannot add a STORED column"), so there the table is rebuilt with the column, as
Django does for any column SQLite cannot add; PostgreSQL adds it in place.
"""

from django.conf import settings
from django.db import migrations, models

import gridcase.cases.cells


class AddStoredGeneratedField(migrations.AddField):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            field = model._meta.get_field(self.name)
            schema_editor._remake_table(model, create_field=field)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_case_place_time_index"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="case",
            name="case_place_time",
        ),
        AddStoredGeneratedField(
            model_name="case",
            name="cell",
            field=models.GeneratedField(
                db_persist=True,
                expression=gridcase.cases.cells.CellOf("latitude", "longitude"),
                null=True,
                output_field=models.BigIntegerField(null=True),
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["town", "category", "cell", "submitted_at"], name="case_cell_time"
            ),
        ),
    ]
