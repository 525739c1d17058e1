"""The town's base map as one PMTiles file (GRIDCASE_MAP_TILES = a path ending in .pmtiles),
served to signed-in users in the byte ranges the browser's PMTiles reader asks for.

The file is the setting's and only it: nothing in the request names a file. It is streamed in
chunks, never read whole (a county's extract is hundreds of megabytes). The base map is the
town's data, so it is private to signed-in users and revalidated before each reuse from a cache.
Ranges are read by gridcase.core.byterange; conditional requests (If-None-Match,
If-Modified-Since, If-Match …) by Django's own get_conditional_response.

Why not a library: WhiteNoise serves ranges, but only of public static files, through classes
it does not document; django-ranged-fileresponse has not been released since 2017.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_http_methods

from gridcase.core.byterange import NotSatisfiable, Span, parse_range

CHUNK_BYTES = 64 * 1024


def _chunks(f: BinaryIO, span: Span) -> Iterator[bytes]:
    # A generator: the response closes it when the client goes away, which closes the file.
    try:
        f.seek(span.first)
        left = span.length
        while left > 0:
            chunk = f.read(min(CHUNK_BYTES, left))
            if not chunk:  # the file was cut short under us: the client sees a short body
                break
            left -= len(chunk)
            yield chunk
    finally:
        f.close()


def _if_range_holds(request: HttpRequest, etag: str, mtime: int) -> bool:
    """RFC 9110 §13.1.5: a range is served only if the validator still matches; else the whole
    (changed) file. An entity tag must match strongly; a date must be the Last-Modified."""
    value = request.headers.get("If-Range")
    if value is None:
        return True
    value = value.strip()
    if value.startswith(('"', "W/")):
        return value == etag
    return parse_http_date_safe(value) == mtime


def _headers(response: HttpResponseBase, etag: str, mtime: int) -> HttpResponseBase:
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(mtime)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def base(request: HttpRequest) -> HttpResponseBase:
    path = settings.GRIDCASE_MAP_PMTILES
    if path is None:
        raise Http404("GRIDCASE_MAP_TILES names no PMTiles file")
    try:
        f = path.open("rb")
    except OSError:
        raise Http404("the PMTiles file cannot be read") from None
    try:
        # The open file's own size and time: the town may replace the file meanwhile.
        stat = os.fstat(f.fileno())
        size, mtime = stat.st_size, int(stat.st_mtime)
        etag = f'"{size:x}-{stat.st_mtime_ns:x}"'
        conditional = get_conditional_response(request, etag=etag, last_modified=mtime)
        if conditional is not None:  # 304 Not Modified, or 412 for a failed If-Match
            f.close()
            return _headers(conditional, etag, mtime)
        span, status = Span(0, size - 1), 200
        range_header = request.headers.get("Range")
        if range_header and _if_range_holds(request, etag, mtime):
            try:
                asked = parse_range(range_header, size)
            except NotSatisfiable:
                f.close()
                refused = HttpResponse(status=416)
                refused.headers["Content-Range"] = f"bytes */{size}"
                return _headers(refused, etag, mtime)
            if asked is not None:
                span, status = asked, 206
        if request.method == "HEAD" or size == 0:
            f.close()
            response: HttpResponseBase = HttpResponse(status=status)
        else:
            response = StreamingHttpResponse(_chunks(f, span), status=status)
    except BaseException:
        f.close()
        raise
    response.headers["Content-Type"] = "application/octet-stream"
    response.headers["Content-Length"] = str(span.length if size else 0)
    if status == 206:
        response.headers["Content-Range"] = f"bytes {span.first}-{span.last}/{size}"
    return _headers(response, etag, mtime)
