# Chain the timeline rows already written, per town, in the order they were written (by id).

from django.db import migrations

from gridcase.core.chain import GENESIS, Sealer


def chain_existing_rows(apps, schema_editor):
    from gridcase.cases.models import TimelineEntry as Current

    TimelineEntry = apps.get_model("cases", "TimelineEntry")
    ChainHead = apps.get_model("core", "ChainHead")
    spec = Current.chain
    towns = dict(apps.get_model("cases", "Case").objects.values_list("id", "town_id"))
    sealers = {}
    batch = []
    fields = ["town", "seq", "prev_hash", "hash"]
    for row in TimelineEntry.objects.order_by("id").iterator(chunk_size=2000):
        row.town_id = towns[row.case_id]
        key = spec.key({"town_id": row.town_id})
        sealer = sealers.get(key) or sealers.setdefault(key, Sealer(spec, key, 0, GENESIS))
        values = {name: getattr(row, name) for name in spec.fields}
        sealer.seal(values)
        row.seq, row.prev_hash, row.hash = values["seq"], values["prev_hash"], values["hash"]
        batch.append(row)
        if len(batch) >= 1000:
            TimelineEntry.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        TimelineEntry.objects.bulk_update(batch, fields)
    ChainHead.objects.bulk_create(
        ChainHead(key=key, seq=sealer.seq, hash=sealer.hash) for key, sealer in sealers.items()
    )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_timeline_chain'),
    ]

    operations = [
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
    ]
