"""Cases carry when their follow-up visit was recorded (`followed_up_at`), so that "awaiting a
follow-up" (models.AWAITING_FOLLOW_UP) is a range of a partial index instead of an anti-join
of the closed cases with the follow-ups table (issue 15: 35 ms of the officer's queue at a
million cases). The cases already followed up get the time of their first follow-up in one
UPDATE … WHERE EXISTS; the new indexes are made before the old ones (every closed case with a
follow-up date) are dropped. On a large PostgreSQL database run VACUUM (or let autovacuum)
after it: the UPDATE clears the visibility map, and the counts are index-only again only then
(bench/README.md: 53 ms instead of 7 for a town of a million until the VACUUM)."""

from django.db import migrations, models
from django.db.models import Exists, Min, OuterRef, Subquery

AWAITING = models.Q(state="closed", follow_up_due__isnull=False, followed_up_at__isnull=True)


def mark_followed_up(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    FollowUp = apps.get_model("cases", "FollowUp")
    theirs = FollowUp.objects.filter(case_id=OuterRef("pk"))
    first = theirs.order_by().values("case_id").annotate(first=Min("created_at")).values("first")
    Case.objects.filter(Exists(theirs), followed_up_at__isnull=True).update(
        followed_up_at=Subquery(first)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_case_village_cat_time"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="followed_up_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="回访登记时间"),
        ),
        migrations.RunPython(mark_followed_up, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=AWAITING,
                fields=["town", "village", "follow_up_due", "grid", "officer", "state", "followed_up_at"],
                include=["category", "id"],
                name="case_awaiting_follow_up_vil",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=AWAITING,
                fields=["town", "follow_up_due", "officer", "state", "followed_up_at"],
                include=["category", "id"],
                name="case_awaiting_follow_up_town",
            ),
        ),
        migrations.RemoveIndex(model_name="case", name="case_follow_up_village"),
        migrations.RemoveIndex(model_name="case", name="case_follow_up_town"),
    ]
