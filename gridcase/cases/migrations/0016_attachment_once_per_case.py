# One attachment per case and content (0015 filled the hashes of the files already stored).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_attachment_sha256_existing")]

    operations = [
        migrations.AddConstraint(
            model_name="attachment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("sha256", ""), _negated=True),
                fields=("case", "sha256"),
                name="attachment_once_per_case",
            ),
        ),
    ]
