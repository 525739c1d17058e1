# The field terminal's ids (issue 12): a case's client_id and digest, an attachment's SHA-256.
# The hashes of the attachments already stored come in 0015, the constraint in 0016.
#
# On SQLite, Django adds a unique or defaulted column by rebuilding the table, and rebuilding
# cases_case breaks the search triggers that name it (0012: "no such table: main.cases_case").
# There the columns are added in place (ALTER TABLE ADD COLUMN and a unique index: the same
# schema the rebuild would give); PostgreSQL takes Django's own operations.

from django.db import migrations, models

CLIENT_ID = models.UUIDField(
    blank=True, editable=False, null=True, unique=True, verbose_name="终端编号"
)
CLIENT_DIGEST = models.CharField(blank=True, default="", editable=False, max_length=64)

SQLITE = [
    'ALTER TABLE "cases_case" ADD COLUMN "client_id" char(32) NULL',
    'CREATE UNIQUE INDEX "cases_case_client_id_unique" ON "cases_case" ("client_id")',
    """ALTER TABLE "cases_case" ADD COLUMN "client_digest" varchar(64) NOT NULL DEFAULT ''""",
]


def add_columns(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)
        return
    Case = apps.get_model("cases", "Case")
    for name, field in (("client_id", CLIENT_ID.clone()), ("client_digest", CLIENT_DIGEST.clone())):
        field.set_attributes_from_name(name)
        field.model = Case
        schema_editor.add_field(Case, field)


def drop_columns(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for name in ("client_digest", "client_id"):
        schema_editor.remove_field(Case, Case._meta.get_field(name))


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_case_town_queue_index")]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="sha256",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=64, verbose_name="SHA-256"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="case", name="client_id", field=CLIENT_ID),
                migrations.AddField(model_name="case", name="client_digest", field=CLIENT_DIGEST),
            ],
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
        ),
    ]
