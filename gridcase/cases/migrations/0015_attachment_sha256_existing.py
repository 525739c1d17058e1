# The SHA-256 of every attachment already stored, read from its file in batches.
#
# A file that cannot be read keeps an empty hash (nothing to compare a re-send with). Two
# copies of the same bytes on one case from before (a photo uploaded twice) keep both rows:
# the first gets the hash, the later ones stay empty, so the constraint of 0016 holds and
# nothing the officers attached disappears.

import hashlib
import logging

from django.db import migrations

log = logging.getLogger(__name__)
BATCH = 500


def _digest(storage, name: str) -> str:
    hasher = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            hasher.update(block)
    return hasher.hexdigest()


def hash_existing_files(apps, schema_editor):
    Attachment = apps.get_model("cases", "Attachment")
    seen: set[tuple[int, str]] = set()
    batch = []
    unreadable = 0
    rows = Attachment.objects.filter(sha256="").order_by("id")
    for row in rows.iterator(chunk_size=BATCH):
        try:
            digest = _digest(row.file.storage, row.file.name)
        except OSError:
            unreadable += 1
            continue
        if (row.case_id, digest) in seen:
            continue
        seen.add((row.case_id, digest))
        row.sha256 = digest
        batch.append(row)
        if len(batch) >= BATCH:
            Attachment.objects.bulk_update(batch, ["sha256"])
            batch = []
    if batch:
        Attachment.objects.bulk_update(batch, ["sha256"])
    if unreadable:
        log.warning("%s attachment file(s) could not be read: their sha256 stays empty", unreadable)


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_field_terminal_ids")]

    operations = [migrations.RunPython(hash_existing_files, migrations.RunPython.noop)]
