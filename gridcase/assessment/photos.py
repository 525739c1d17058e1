"""Perceptual hashes of case photos (ImageHash's pHash over Pillow), computed once per
attachment and kept in ``PhotoHash``, so that the duplicate check compares 64-bit numbers
instead of opening files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import imagehash
from PIL import Image, UnidentifiedImageError

from gridcase.cases.models import Attachment

from .models import PhotoHash


def phash_of(file) -> str:
    """The hex pHash of an image file object, or "" when it is not a readable image."""
    try:
        with Image.open(file) as image:
            return str(imagehash.phash(image))
    except (UnidentifiedImageError, OSError, ValueError):
        return ""


def hashes_for(case_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """case id -> the pHashes of its image attachments (hashing the new ones now)."""
    ids = list(case_ids)
    known: dict[int, list[str]] = defaultdict(list)
    seen: set[int] = set()
    for attachment_id, case_id, phash in PhotoHash.objects.filter(case_id__in=ids).values_list(
        "attachment_id", "case_id", "phash"
    ):
        seen.add(attachment_id)
        if phash:
            known[case_id].append(phash)
    new = (
        Attachment.objects.filter(case_id__in=ids, content_type__startswith="image/")
        .exclude(pk__in=seen)
        .only("id", "case_id", "file")
    )
    rows = []
    for attachment in new:
        try:
            with attachment.file.open("rb") as file:
                phash = phash_of(file)
        except OSError:  # the file is gone from storage: nothing to compare, nothing to keep
            continue
        rows.append(PhotoHash(attachment=attachment, case_id=attachment.case_id, phash=phash))
        if phash:
            known[attachment.case_id].append(phash)
    PhotoHash.objects.bulk_create(rows, ignore_conflicts=True)
    return {case_id: tuple(sorted(hashes)) for case_id, hashes in known.items()}
