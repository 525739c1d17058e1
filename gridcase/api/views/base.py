"""What every API view shares: Chinese messages, the case lookup (404 outside scope), paging."""

from __future__ import annotations

import base64
from urllib import parse

from django.utils import translation
from rest_framework import pagination
from rest_framework.exceptions import MethodNotAllowed, NotFound, ValidationError
from rest_framework.views import APIView

from gridcase.cases import selectors
from gridcase.cases.models import Case
from gridcase.core import text

# A case number in a URL: CT-2026-00042 (a town code, the year, a counter).
NUMBER_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}"


class ApiView(APIView):
    # Messages in Chinese whatever the Accept-Language: the API's users read Chinese. (A
    # comment, not a docstring: drf-spectacular would publish a docstring as the description.)

    def initial(self, request, *args, **kwargs):
        translation.activate("zh-hans")
        # A method the address does not have is 405 whoever asks: before the credentials are
        # read (a bad api_key would say 403) and before a token's scope is checked (a read
        # token would say 403 to TRACE). DRF itself looks for the handler only after both.
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
        refuse_control_characters(request.query_params)


def refuse_control_characters(query) -> None:
    """400 naming the parameter when a query holds a character XML cannot carry.

    Every parameter, before any field reads it: a choice or a date would echo the character
    back in its message, a page size or a cursor would silently ignore it, and a text field
    whose value is only such characters would call it empty (Python strips \x1c-\x1f).
    """
    for name, values in query.lists():
        position = text.first_invalid(name)
        if position is not None:
            raise ValidationError(
                {"non_field_errors": [text.invalid_message("查询参数名", position)]}
            )
        for value in values:
            position = text.first_invalid(value)
            if position is not None:
                label = f"查询参数“{name}”"
                raise ValidationError({name: [text.invalid_message(label, position)]})


def case_or_404(request, number: str) -> Case:
    """The case if the caller may see it; a case outside their scope does not exist."""
    try:
        return selectors.get_case(request.user, number=number)
    except (Case.DoesNotExist, Case.MultipleObjectsReturned):
        raise NotFound() from None


def bounded_query(serializer_class, request, **kwargs) -> dict:
    """Validated query parameters (400 with the field on bad input)."""
    serializer = serializer_class(data=request.query_params, **kwargs)
    # DRF reads an empty optional parameter (`town=`) as absent; the schema says a value has
    # at least one character, and a filter left empty by mistake should not widen the answer.
    empty = {
        name: ["不能为空:不用该参数时请省略它"]
        for name, field in serializer.fields.items()
        if "" in request.query_params.getlist(name) and not getattr(field, "allow_blank", False)
    }
    if empty:
        raise ValidationError(empty)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CursorPagination(pagination.CursorPagination):
    """Newest first, by id: stable while cases are added, and cheap at any depth."""

    ordering = "-id"
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    cursor_query_description = "分页游标:取自上一页的 next / previous 地址"
    page_size_query_description = "每页条数(1–100,默认 20)"

    def get_page_size(self, request):
        # DRF falls back to the default on "abc" or 0 and cuts 1000 to the maximum: a client
        # asking for what cannot be had is told so, as the schema's bounds say.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError({"page_size": [f"每页条数应为 1 到 {self.max_page_size} 的整数"]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] |= {"minimum": 1, "maximum": self.max_page_size}
            if parameter["name"] == self.cursor_query_param:
                parameter["schema"] |= {"minLength": 1}
        return parameters

    def decode_cursor(self, request):
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        try:
            # validate=True: the default skips characters outside base64, so "" or "%%" was
            # read as the first page.
            querystring = base64.b64decode(raw.encode("ascii"), validate=True).decode("ascii")
            if not querystring:
                raise ValueError
            position = parse.parse_qs(querystring, keep_blank_values=True).get("p", [None])[0]
            if position is not None and not (position.isdigit() and len(position) <= 18):
                raise ValueError
            cursor = super().decode_cursor(request)
        except (ValueError, UnicodeError, NotFound):
            raise ValidationError(
                {"cursor": ["分页游标无效:请使用上一页返回的 next 地址"]}
            ) from None
        if cursor.offset > 10_000:
            raise ValidationError({"cursor": ["分页游标无效:请使用上一页返回的 next 地址"]})
        return cursor
