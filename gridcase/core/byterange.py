"""HTTP byte ranges (RFC 9110 §14): which bytes of a file of a known size a `Range` header asks
for. Pure: the header and the size in, a span or a refusal out.

Only one range is served. A header this module cannot read, another unit, or several ranges
are ignored (the whole file is sent, as the RFC allows): PMTiles readers and browsers ask for
one range at a time.
"""

from __future__ import annotations

from typing import NamedTuple


class Span(NamedTuple):
    """Bytes first..last of the file, both included (as in `Content-Range`)."""

    first: int
    last: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1


class NotSatisfiable(Exception):
    """The range lies wholly past the file's end (or asks for no bytes): answer 416."""


def _digits(text: str) -> int | None:
    # int() would also take "+5", " 5" and "5_0": a range is plain digits.
    return int(text) if text.isascii() and text.isdigit() else None


def parse_range(header: str, size: int) -> Span | None:
    """The one span `header` asks for in a file of `size` bytes; None to send the whole file
    (no header, one this module does not read, or several ranges).

    `bytes=a-b` (b past the end is cut to the end), `bytes=a-`, `bytes=-n` (the last n bytes;
    the whole file when n is larger). Raises NotSatisfiable when the span starts at or past the
    end, or is a suffix of zero bytes."""
    unit, sep, spec = header.strip().partition("=")
    if not sep or unit.strip().lower() != "bytes" or "," in spec:
        return None
    start_text, dash, end_text = spec.strip().partition("-")
    if not dash:
        return None
    if start_text == "":
        suffix = _digits(end_text)
        if suffix is None:
            return None
        if suffix == 0 or size == 0:
            raise NotSatisfiable
        return Span(max(size - suffix, 0), size - 1)
    first = _digits(start_text)
    last = _digits(end_text) if end_text else None  # "a-": to the end
    if first is None or (end_text and (last is None or last < first)):
        return None  # not a range (RFC 9110: an invalid range is ignored)
    if first >= size:
        raise NotSatisfiable
    return Span(first, size - 1 if last is None else min(last, size - 1))
