"""Photos and files on a case: a short list of types, each judged by its first bytes."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.db import transaction
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


@transaction.atomic
def case_attach(*, case: Case, by: User, upload, at=None):
    """Attach a photo or file. The type is judged by its first bytes, not only its name."""
    at = now_or(at)
    require_action("attach", case, by)
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
        case=case, original_name=name, content_type=content_type, size=upload.size, uploaded_by=by
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    record(case, action="attach", by=by, at=at, note=name, data={"attachment": attachment.pk})
    return attachment
