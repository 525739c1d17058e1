"""The admin pages of notifications: channels per unit, failed pushes (with resend), history.

Scoped like the rest: an administrator sees only the towns they administer (a superuser all).
Channel secrets are never shown back; leaving the field empty keeps the stored secret.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridcase.cases.errors import ActionNotAllowed, CaseError
from gridcase.org.admin_scope import ReadOnlyInline, TownScopedAdmin
from gridcase.org.admin_site import may_use_admin
from gridcase.org.models import Unit
from gridcase.org.selectors import administered_town_ids

from . import services
from .models import ChannelConfig, Delivery, InboxItem, Notification


def _administers(request) -> bool:
    return may_use_admin(request.user)


class _Scoped(TownScopedAdmin):
    """For the towns' administrators (an administrator role in force) and superusers, who
    configure channels here without further model permissions."""

    town_path = "town_id"

    def has_add_permission(self, request):
        return _administers(request)

    def has_change_permission(self, request, obj=None):
        return _administers(request)

    def has_delete_permission(self, request, obj=None):
        return _administers(request)


class _ReadOnly(_Scoped):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChannelConfigForm(forms.ModelForm):
    secret = forms.CharField(
        label=_("签名密钥"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("钉钉“加签”密钥(SEC 开头)或通用 Webhook 的 HMAC 密钥;留空则保留原密钥"),
    )

    class Meta:
        model = ChannelConfig
        fields = ["unit", "kind", "name", "target", "secret", "enabled"]

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or self.instance.kind
        secret = data.get("secret") or (self.instance.secret if self.instance.pk else "")
        try:
            services.clean_channel(kind, data.get("target", ""), secret, data.get("name", ""))
        except CaseError as exc:
            for field, errors in exc.fields.items():
                self.add_error(field if field in self.fields else None, errors)
        return data


@admin.register(ChannelConfig)
class ChannelConfigAdmin(_Scoped):
    town_path = "unit__town_id"
    form = ChannelConfigForm
    list_display = ["unit", "kind", "name", "target_short", "has_secret", "enabled"]
    list_filter = ["kind", "enabled", "unit__kind"]
    search_fields = ["unit__name", "name", "target"]
    actions = ["send_test"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            towns = administered_town_ids(request.user)
            qs = Unit.objects.select_related("town")
            kwargs["queryset"] = qs if towns is None else qs.filter(town_id__in=towns)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("地址"))
    def target_short(self, obj):
        return obj.target if len(obj.target) < 60 else obj.target[:57] + "…"

    @admin.display(description=_("已设密钥"), boolean=True)
    def has_secret(self, obj):
        return bool(obj.secret)

    def save_model(self, request, obj, form, change):
        # Through the services, so that the same checks apply as in the workbench.
        data = form.cleaned_data
        try:
            if change:
                services.channel_config_update(
                    by=request.user,
                    config=obj,
                    target=data["target"],
                    secret=data["secret"] or None,
                    name=data["name"],
                    enabled=data["enabled"],
                )
            else:
                saved = services.channel_config_create(
                    by=request.user,
                    unit=data["unit"],
                    kind=data["kind"],
                    target=data["target"],
                    secret=data["secret"],
                    name=data["name"],
                    enabled=data["enabled"],
                )
                obj.pk = saved.pk
        except ActionNotAllowed as exc:
            raise PermissionDenied(exc.message) from None

    @admin.action(description=_("发送测试消息"))
    def send_test(self, request, queryset):
        for config in queryset:
            error = services.channel_config_test(by=request.user, config=config)
            if error:
                text = gettext("%(channel)s:发送失败:%(error)s")
                messages.error(request, text % {"channel": config, "error": error})
            else:
                text = gettext("%(channel)s:测试消息已发送")
                messages.success(request, text % {"channel": config})


@admin.register(Delivery)
class DeliveryAdmin(_ReadOnly):
    town_path = "notification__town_id"
    list_display = ["notification", "channel", "status", "attempts", "next_attempt_at", "error"]
    list_filter = ["status", "channel__kind"]
    search_fields = ["notification__title", "last_error"]
    list_select_related = ["notification", "channel", "channel__unit"]
    actions = ["resend"]

    @admin.display(description=_("最近错误"))
    def error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("重新发送"))
    def resend(self, request, queryset):
        done = 0
        for delivery in queryset:
            try:
                services.delivery_resend(by=request.user, delivery=delivery)
                done += 1
            except CaseError as exc:
                messages.warning(request, f"{delivery}:{exc.message}")
        if done:
            messages.success(request, gettext("已安排重新发送 %(n)s 条") % {"n": done})


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    town_path = "notification__town_id"
    fields = ["channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(_ReadOnly):
    list_display = ["created_at", "town", "kind", "title", "major"]
    list_filter = ["kind", "major"]
    search_fields = ["title", "case__number"]
    date_hierarchy = "created_at"
    list_select_related = ["town"]
    inlines = [DeliveryInline]


@admin.register(InboxItem)
class InboxItemAdmin(_ReadOnly):
    town_path = "notification__town_id"
    list_display = ["created_at", "user", "notification", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["user__username", "notification__title"]
    list_select_related = ["user", "notification"]
