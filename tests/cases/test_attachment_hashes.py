"""Migration 0015: the attachments stored before the hash was kept get the hash of their file;
a file that cannot be read, or a second copy of the same bytes on one case, keeps it empty."""

from __future__ import annotations

import hashlib
import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile

from gridcase.cases import filing
from gridcase.cases.models import Attachment

backfill = importlib.import_module("gridcase.cases.migrations.0015_attachment_sha256_existing")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _stored(case, by, name: str, data: bytes) -> Attachment:
    row = Attachment(
        case=case, original_name=name, content_type="image/png", size=len(data), uploaded_by=by
    )
    row.file.save(name, ContentFile(data), save=False)
    row.save()
    return row


def test_existing_files_are_hashed_and_a_second_copy_on_a_case_stays_empty(t):
    one = filing.case_create_draft(town=t.town, by=t.officer, data={"category": "other"})
    two = filing.case_create_draft(town=t.town, by=t.officer, data={"category": "other"})
    photo, other = b"\x89PNG one", b"\x89PNG two"
    first = _stored(one, t.officer, "a.png", photo)
    copy = _stored(one, t.officer, "a-again.png", photo)
    elsewhere = _stored(two, t.officer, "a.png", photo)
    different = _stored(one, t.officer, "b.png", other)
    gone = _stored(two, t.officer, "gone.png", other)
    gone.file.storage.delete(gone.file.name)

    backfill.hash_existing_files(apps, None)

    def sha(row):
        return Attachment.objects.get(pk=row.pk).sha256

    assert sha(first) == hashlib.sha256(photo).hexdigest()
    assert sha(copy) == ""
    assert sha(elsewhere) == hashlib.sha256(photo).hexdigest()
    assert sha(different) == hashlib.sha256(other).hexdigest()
    assert sha(gone) == ""
    assert Attachment.objects.count() == 5  # nothing the officers attached is deleted
