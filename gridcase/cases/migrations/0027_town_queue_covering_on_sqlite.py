"""The town's queue index covers its queries on SQLite too (core/indexes.py, CoveringIndex):
its INCLUDE columns — the deadlines and the officer — become key columns there, as SQLite has
no INCLUDE. The governance office's tabs read a town's open cases from it (77 ms a query at a
million cases reading each row; 12–15 ms from the index). PostgreSQL's index is unchanged: the
state changes its class, the database is touched on SQLite only."""

from django.conf import settings
from django.db import migrations, models

import gridcase.core.indexes

FIELDS = ["town", "state", "level", "category"]
INCLUDE = ("accept_due", "handle_due", "id", "officer")
NAME = "case_town_queue_cat"


def _old():
    return models.Index(fields=FIELDS, include=INCLUDE, name=NAME)


def _new():
    return gridcase.core.indexes.CoveringIndex(fields=FIELDS, include=INCLUDE, name=NAME)


def _swap(apps, schema_editor, drop, make):
    if schema_editor.connection.vendor != "sqlite":
        return
    case = apps.get_model("cases", "Case")
    schema_editor.remove_index(case, drop)
    schema_editor.add_index(case, make)


def forwards(apps, schema_editor):
    _swap(apps, schema_editor, _old(), _new())


def backwards(apps, schema_editor):
    _swap(apps, schema_editor, _new(), _old())


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0026_timeline_town_reviews'),
        ('org', '0002_boundaries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name='case', name=NAME),
                migrations.AddIndex(model_name='case', index=_new()),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
