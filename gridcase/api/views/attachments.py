"""Attachments: upload (multipart), list, download — all within the caller's scope.

The field terminal puts each photo at its content's address (`PUT …/photos/<sha256>/`): a
re-sent photo is the one already attached (200), never a second copy; a resumed upload
reads the list first and skips what is there. The older POST keeps bytes once per case too.
"""

from __future__ import annotations

import json
import re

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import parsers, renderers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from gridcase.cases.attachments import case_attach_once

from ..idempotency import idempotent
from ..serializers.actions import AttachmentUploadSerializer
from ..serializers.cases import AttachmentSerializer
from .base import ApiView, case_or_404
from .common import IDEMPOTENCY_PARAMETER, NUMBER_PARAMETER, REPLAYED, precheck

TAG = ["附件 attachments"]
# A photo's address: the SHA-256 of its bytes in lowercase hex.
SHA256_PATTERN = "[0-9a-f]{64}"
SHA256_MESSAGE = "地址中的 sha256 应为文件内容的 SHA-256:64 位十六进制小写字母和数字"
SHA256_PARAMETER = OpenApiParameter(
    "sha256",
    str,
    location=OpenApiParameter.PATH,
    description="文件内容的 SHA-256,64 位十六进制小写",
    pattern=f"^{SHA256_PATTERN}$",
)


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


def _attach(request, case, sha256: str | None = None) -> Response:
    """201 with the new attachment, or 200 (Idempotent-Replayed) with the one already there."""
    precheck("attach", case, request.user)
    serializer = AttachmentUploadSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    attachment, created = case_attach_once(
        case=case, by=request.user, upload=serializer.validated_data["file"], sha256=sha256
    )
    body = _serialize(request, case, [attachment])[0]
    if created:
        return Response(body, status=201)
    return Response(body, status=200, headers=REPLAYED)


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
            "大小上限见服务器设置(默认 10 MB)。同一事件已有内容相同的文件时不再保存一份,"
            "返回 200 和已有的附件(响应头 Idempotent-Replayed: true)。"
        ),
        parameters=[NUMBER_PARAMETER, IDEMPOTENCY_PARAMETER],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, 200: AttachmentSerializer},
    )
    @idempotent
    def post(self, request, number):
        return _attach(request, case_or_404(request, number))


class PhotoView(ApiView):
    parser_classes = [parsers.MultiPartParser]

    @extend_schema(
        tags=TAG,
        operation_id="cases_photos_put",
        summary="按内容上传照片(采集终端)",
        description=(
            "multipart/form-data,字段 file;地址中的 sha256 为文件内容的 SHA-256(十六进制小写)。"
            "服务器对收到的内容计算哈希:与地址不符返回 400(字段 file,文件可能未传完整);"
            "该事件已有此内容的附件时返回 200 和该附件(响应头 Idempotent-Replayed: true),"
            "否则保存并返回 201。类型和大小的检查同上传附件。"
            "断点续传:先读取附件列表,跳过 sha256 已在其中的照片。"
        ),
        parameters=[NUMBER_PARAMETER, SHA256_PARAMETER],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, 200: AttachmentSerializer},
    )
    def put(self, request, number, sha256):
        case = case_or_404(request, number)
        if not re.fullmatch(SHA256_PATTERN, sha256):
            raise ValidationError({"sha256": [SHA256_MESSAGE]})
        return _attach(request, case, sha256=sha256)


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
