"""Attachments: upload (multipart), list, download — all within the caller's scope."""

from __future__ import annotations

import json

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, renderers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from gridcase.cases.attachments import case_attach

from ..idempotency import idempotent
from ..serializers.actions import AttachmentUploadSerializer
from ..serializers.cases import AttachmentSerializer
from .base import ApiView, case_or_404
from .common import IDEMPOTENCY_PARAMETER, NUMBER_PARAMETER, precheck

TAG = ["附件 attachments"]


class PassthroughRenderer(renderers.BaseRenderer):
    """Lets a download be asked for with any Accept header; errors still go out as JSON."""

    media_type = "*/*"
    format = "file"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _serialize(request, case, attachments):
    for attachment in attachments:
        attachment.case = case
    return AttachmentSerializer(attachments, many=True, context={"request": request}).data


class AttachmentsView(ApiView):
    parser_classes = [parsers.MultiPartParser]

    @extend_schema(
        tags=TAG,
        operation_id="cases_attachments_list",
        summary="附件列表",
        parameters=[NUMBER_PARAMETER],
        responses={200: AttachmentSerializer(many=True)},
    )
    def get(self, request, number):
        case = case_or_404(request, number)
        items = list(case.attachments.select_related("uploaded_by"))
        return Response(_serialize(request, case, items))

    @extend_schema(
        tags=TAG,
        operation_id="cases_attachments_upload",
        summary="上传附件",
        description=(
            "multipart/form-data,字段 file。类型按文件内容判断,不只看扩展名;"
            "大小上限见服务器设置(默认 10 MB)。"
        ),
        parameters=[NUMBER_PARAMETER, IDEMPOTENCY_PARAMETER],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
    )
    @idempotent
    def post(self, request, number):
        case = case_or_404(request, number)
        precheck("attach", case, request.user)
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = case_attach(
            case=case, by=request.user, upload=serializer.validated_data["file"]
        )
        return Response(_serialize(request, case, [attachment])[0], status=201)


class AttachmentFileView(ApiView):
    renderer_classes = [renderers.JSONRenderer, PassthroughRenderer]

    @extend_schema(
        tags=TAG,
        operation_id="cases_attachments_download",
        summary="下载附件",
        parameters=[NUMBER_PARAMETER],
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="文件内容"),
        },
    )
    def get(self, request, number, pk):
        case = case_or_404(request, number)
        attachment = case.attachments.filter(pk=pk).first()
        if attachment is None:
            raise NotFound()
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise NotFound() from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
