"""A strict JSON parser: bounded size and depth, no NaN/Infinity, UTF-8 only.

DRF's parser reads the whole stream and lets a deeply nested document raise RecursionError
(a 500); this one answers 400/413 instead.
"""

from __future__ import annotations

import json

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .errors import PayloadTooLarge

MAX_JSON_BYTES = 1024 * 1024


def _reject_constant(name: str):
    raise ValueError(f"不允许的数值 {name}")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return {}
        raw = stream.read(MAX_JSON_BYTES + 1)
        if len(raw) > MAX_JSON_BYTES:
            raise PayloadTooLarge(f"JSON 请求内容不能超过 {MAX_JSON_BYTES // 1024} KB")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("请求内容不是 UTF-8 编码") from None
        try:
            return json.loads(text, parse_constant=_reject_constant)
        except RecursionError:
            raise ParseError("JSON 嵌套层级过深") from None
        except ValueError as exc:
            raise ParseError(f"不是有效的 JSON({exc})") from None
