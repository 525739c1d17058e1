"""Photos and files on a case: a short list of types, each judged by its first bytes.

Each attachment keeps the SHA-256 of its bytes, and a case holds given bytes once (a unique
constraint on (case, sha256)): the same photo sent again — the field terminal resuming an
upload it did not hear the answer to, or an officer choosing the same file twice — is the
attachment already there, not a second copy (`case_attach_once` says which it was).
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gridcase.org.models import User

from .changes import now_or, record, require_action
from .errors import CaseError
from .models import Attachment, Case

ATTACHMENT_TYPES = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".webp": ("image/webp", (b"RIFF",)),
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
}


def sha256_of(upload) -> str:
    """The SHA-256 (lowercase hex) of a file's bytes, read in blocks; the file is rewound."""
    hasher = hashlib.sha256()
    upload.seek(0)
    for block in iter(lambda: upload.read(1 << 16), b""):
        hasher.update(block)
    upload.seek(0)
    return hasher.hexdigest()


def case_attach(*, case: Case, by: User, upload, at=None) -> Attachment:
    """Attach a photo or file (or find the same bytes already attached to the case)."""
    attachment, _created = case_attach_once(case=case, by=by, upload=upload, at=at)
    return attachment


@transaction.atomic
def case_attach_once(
    *, case: Case, by: User, upload, at=None, sha256: str | None = None
) -> tuple[Attachment, bool]:
    """Attach a photo or file: (attachment, True); or (the attachment with the same bytes
    already on the case, False). The type is judged by its first bytes, not only its name.

    `sha256`: the hash the sender computed (the field terminal's photo address); bytes that
    hash otherwise arrived damaged or cut short, and are refused naming `file`."""
    at = now_or(at)
    require_action("attach", case, by)
    digest = sha256_of(upload)
    if sha256 is not None and digest != sha256.lower():
        message = _("文件内容与地址中的 SHA-256 不符(文件可能未传完整),请重新上传")
        raise CaseError(message, {"file": [message]})
    existing = Attachment.objects.filter(case=case, sha256=digest).first()
    if existing is not None:
        return existing, False
    name = PurePath(upload.name or "").name[:200]
    suffix = PurePath(name).suffix.lower()
    limit = settings.GRIDCASE_ATTACHMENT_MAX_BYTES
    if suffix not in ATTACHMENT_TYPES:
        allowed = _("、").join(sorted(s.lstrip(".") for s in ATTACHMENT_TYPES))
        raise CaseError(
            _("不支持的文件类型“%(type)s”,可上传: %(allowed)s")
            % {"type": suffix or name, "allowed": allowed},
            {"file": [_("文件类型不支持")]},
        )
    if upload.size > limit:
        raise CaseError(
            _("文件“%(name)s”过大(%(kb)s KB),上限 %(mb)s MB")
            % {"name": name, "kb": upload.size // 1024, "mb": limit // 1024 // 1024},
            {"file": [_("文件过大")]},
        )
    content_type, magics = ATTACHMENT_TYPES[suffix]
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in magics):
        raise CaseError(
            _("文件“%(name)s”的内容与其类型不符") % {"name": name},
            {"file": [_("文件内容与类型不符")]},
        )
    attachment = Attachment(
        case=case,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
        sha256=digest,
    )
    attachment.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except IntegrityError:
        # The same bytes were attached to this case by a concurrent request that committed
        # first (the constraint decides): ours is that one; the file we stored goes.
        attachment.file.delete(save=False)
        existing = Attachment.objects.filter(case=case, sha256=digest).first()
        if existing is None:
            raise
        return existing, False
    record(
        case,
        action="attach",
        by=by,
        at=at,
        note=name,
        data={"attachment": attachment.pk, "sha256": digest},
    )
    return attachment, True
