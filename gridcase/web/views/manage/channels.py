"""Notification channels of the town's units (e-mail, WeCom, DingTalk, signed webhook), built
on the notification app's services; and the pushes that failed, to resend after a fix."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _t

from gridcase.cases.errors import CaseError
from gridcase.notify import services as notify
from gridcase.notify.models import ChannelConfig, Delivery
from gridcase.org.models import Town
from gridcase.web import forms_manage as fm

from .common import bound, done, manage_view, page, refused

FAILED_SHOWN = 20


def _channel(town: Town, pk: int) -> ChannelConfig:
    return get_object_or_404(ChannelConfig.objects.select_related("unit"), pk=pk, unit__town=town)


@manage_view
def channels(request: HttpRequest, town: Town) -> HttpResponse:
    form = fm.ChannelForm(bound(request), town=town, kinds=ChannelConfig.Kind.choices)
    if request.method == "POST" and form.is_valid():
        try:
            channel = notify.channel_config_create(by=request.user, **form.cleaned_data)
        except CaseError as exc:
            fm.apply_error(form, exc)
        else:
            return done(
                request, _t("已添加通知渠道:%(c)s") % {"c": channel}, "manage:channels", town.pk
            )
    rows = (
        ChannelConfig.objects.filter(unit__town=town)
        .select_related("unit")
        .order_by("unit__kind", "unit__name", "kind", "id")
    )
    failed = Delivery.objects.filter(notification__town=town, status=Delivery.Status.FAILED)
    return page(
        request,
        town,
        "web/manage/channels.html",
        "channels",
        {
            "form": form,
            "channels": rows,
            "failed": failed.select_related("notification", "channel", "channel__unit").order_by(
                "-created_at", "-id"
            )[:FAILED_SHOWN],
            "failed_count": failed.count(),
        },
        status=400 if form.errors else 200,
    )


@manage_view
def channel_edit(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    channel = _channel(town, pk)
    form = fm.ChannelForm(
        bound(request),
        town=town,
        kinds=ChannelConfig.Kind.choices,
        kind=channel.kind,
        initial={"name": channel.name, "target": channel.target, "enabled": channel.enabled},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notify.channel_config_update(
                by=request.user,
                config=channel,
                name=data["name"],
                target=data["target"],
                # An empty secret keeps the stored one: the page never shows it.
                secret=data["secret"] or None,
                enabled=data["enabled"],
            )
        except CaseError as exc:
            fm.apply_error(form, exc)
        else:
            return done(request, _t("已保存"), "manage:channels", town.pk)
    return page(
        request,
        town,
        "web/manage/channel_edit.html",
        "channels",
        {"form": form, "channel": channel},
        status=400 if form.errors else 200,
    )


@manage_view
def channel_delete(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    channel = _channel(town, pk)
    if request.method != "POST":
        return page(
            request,
            town,
            "web/manage/confirm_delete.html",
            "channels",
            {"object": channel, "what": _t("通知渠道"), "back": "manage:channels"},
        )
    try:
        notify.channel_config_delete(by=request.user, config=channel)
    except CaseError as exc:
        return refused(request, exc, "manage:channel_edit", town.pk, channel.pk)
    return done(request, _t("已删除通知渠道"), "manage:channels", town.pk)


@manage_view
def channel_test(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    channel = _channel(town, pk)
    if request.method == "POST":
        error = notify.channel_config_test(by=request.user, config=channel)
        if error:
            messages.error(request, _t("测试消息发送失败:%(e)s") % {"e": error})
        else:
            messages.success(request, _t("测试消息已发送,请在对应的群或邮箱查看"))
    return redirect("manage:channel_edit", town.pk, channel.pk)


@manage_view
def resend_failed(request: HttpRequest, town: Town) -> HttpResponse:
    if request.method != "POST":
        return redirect("manage:channels", town.pk)
    try:
        n = notify.deliveries_resend_failed(by=request.user, town=town)
    except CaseError as exc:
        return refused(request, exc, "manage:channels", town.pk)
    return done(request, _t("已重新发送 %(n)s 条失败的通知") % {"n": n}, "manage:channels", town.pk)
