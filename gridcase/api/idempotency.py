"""`Idempotency-Key` for POST endpoints: a resent request returns the first response.

The mobile terminal resends a request when it loses the network; the key makes the resend
harmless. Semantics (after the IETF draft "The Idempotency-Key HTTP Header Field"):

- The key is scoped to the caller (a person, or a system token) and kept for
  `KEY_LIFETIME`; after that it may be used again.
- Same key, same request (method, path and body, compared by a hash of their content) →
  the first response (status and body) again, with `Idempotent-Replayed: true`; nothing new
  is created.
- Same key, another request → 422 `idempotency_mismatch`.
- Only a successful (2xx) response is kept: a refused request (400, 403, 409 …) changed
  nothing, and the client may correct it and send it again under the same key.
- The key row is written in the same transaction as the work itself, so a concurrent
  duplicate waits on the unique constraint, then replays the committed response — never
  does the work twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from gridcase.core import clock

from .errors import IdempotencyMismatch
from .models import IdempotencyKey
from .permissions import token_of

HEADER = "Idempotency-Key"
# Printable ASCII without spaces (a UUID fits): what a header carries unchanged end to end.
KEY_PATTERN = re.compile(r"[!-~]{1,255}")
KEY_MESSAGE = "Idempotency-Key 应为 1 到 255 个可打印 ASCII 字符,不含空格(建议使用 UUID)"
KEY_LIFETIME = timedelta(hours=getattr(settings, "GRIDCASE_IDEMPOTENCY_HOURS", 24))


def principal_of(request) -> str:
    token = token_of(request)
    if token is not None and token.is_system:
        return f"token:{token.pk}"
    return f"user:{request.user.pk}"


def _canonical(value):
    """The parsed body in a form whose JSON is the same for the same content."""
    if hasattr(value, "lists"):  # QueryDict / MultiValueDict
        return {k: [_canonical(v) for v in vs] for k, vs in sorted(value.lists())}
    if hasattr(value, "chunks"):  # an uploaded file: its name and content, not its boundary
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "size": value.size, "sha256": digest.hexdigest()}
    return value


def fingerprint(request) -> str:
    body = _canonical(request.data)  # for multipart, DRF's data holds the files too
    query = sorted(request.query_params.lists())
    text = json.dumps([request.method, request.path, query, body], sort_keys=True, cls=JSONEncoder)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def read_key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_PATTERN.fullmatch(key):
        raise ValidationError({HEADER: [KEY_MESSAGE]})
    return key


class _Refused(Exception):
    """The view answered with an error: roll the key back with everything else."""

    def __init__(self, response):
        self.response = response


def _replay(row: IdempotencyKey, fp: str) -> Response:
    if row.fingerprint != fp:
        raise IdempotencyMismatch()
    headers = {"Idempotent-Replayed": "true"}
    if row.location:
        headers["Location"] = row.location
    return Response(json.loads(row.body), status=row.status_code, headers=headers)


def idempotent(handler):
    """Decorate a view's `post`: honour an `Idempotency-Key` request header."""

    @wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = read_key(request)
        if key is None:
            return handler(view, request, *args, **kwargs)
        principal = principal_of(request)
        fp = fingerprint(request)
        now = clock.now()
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.filter(principal=principal, key=key).first()
                if row is not None and row.expires_at <= now:
                    row.delete()
                    row = None
                if row is not None:
                    return _replay(row, fp)
                try:
                    with transaction.atomic():
                        row = IdempotencyKey.objects.create(
                            principal=principal,
                            key=key,
                            fingerprint=fp,
                            method=request.method,
                            path=request.path[:500],
                            status_code=0,
                            body="",
                            expires_at=now + KEY_LIFETIME,
                        )
                except IntegrityError:
                    # A concurrent request with this key committed first: answer as it did.
                    return _replay(IdempotencyKey.objects.get(principal=principal, key=key), fp)
                response = handler(view, request, *args, **kwargs)
                if not 200 <= response.status_code < 300:
                    raise _Refused(response)
                row.status_code = response.status_code
                row.body = json.dumps(response.data, cls=JSONEncoder, ensure_ascii=False)
                row.location = response.headers.get("Location", "")[:500]
                row.save(update_fields=["status_code", "body", "location"])
                return response
        except _Refused as refused:
            return refused.response

    return wrapper


def purge_expired(now=None) -> int:
    """Delete the keys past their lifetime; returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or clock.now()).delete()
    return deleted
