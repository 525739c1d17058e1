"""API tokens in the admin: an administrator creates a system token for their town (its key is
shown once, on the page after saving) and revokes tokens. A token is never edited or deleted:
revoking keeps the row, so its last use stays on record."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridcase.core import clock
from gridcase.org.admin_scope import TownScopedAdmin
from gridcase.org.admin_site import may_use_admin
from gridcase.org.models import Town
from gridcase.org.selectors import administered_town_ids

from .models import ApiToken, hash_key, new_key
from .tokens import token_revoke


def administered_towns(user):
    ids = administered_town_ids(user)
    return Town.objects.all() if ids is None else Town.objects.filter(pk__in=ids)


class SystemTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "town", "scope", "expires_at"]

    def __init__(self, *args, towns=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].required = True
        if towns is not None:
            self.fields["town"].queryset = towns

    def clean_expires_at(self):
        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= clock.now():
            raise forms.ValidationError(_("过期时间应晚于现在"))
        return value


@admin.register(ApiToken)
class ApiTokenAdmin(TownScopedAdmin):
    list_display = [
        "name",
        "kind",
        "scope",
        "town",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["kind", "scope", "town"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["town", "user"]
    actions = ["revoke"]
    readonly_fields = [
        "kind",
        "name",
        "scope",
        "town",
        "user",
        "prefix",
        "created_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]

    def _may_manage(self, request) -> bool:
        return may_use_admin(request.user)

    def scope(self, request, qs):
        towns = administered_town_ids(request.user)
        if towns is None:
            return qs
        # A town's system tokens, and the device tokens of the town's people.
        return qs.filter(Q(town__in=towns) | Q(user__roles__town__in=towns)).distinct()

    def has_add_permission(self, request):
        return self._may_manage(request)

    def has_change_permission(self, request, obj=None):
        return False  # a token is revoked (the action), never edited

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, **kwargs)
        towns = administered_towns(request.user)

        class Form(SystemTokenForm):
            def __init__(self, *args, **inner):
                super().__init__(*args, towns=towns, **inner)

        return Form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "town", "scope", "expires_at"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        key = new_key()
        obj.kind = ApiToken.Kind.SYSTEM
        obj.key_hash = hash_key(key)
        obj.prefix = key[:12]
        obj.created_by = request.user
        obj.save()
        messages.warning(
            request,
            _("系统令牌「%(name)s」已创建。令牌只显示这一次,请立即复制并妥善保管:%(key)s")
            % {"name": obj.name, "key": key},
        )

    @admin.action(description=_("撤销所选令牌"))
    def revoke(self, request, queryset):
        if not self._may_manage(request):
            self.message_user(request, _("只有管理员可以撤销令牌"), messages.ERROR)
            return
        if not request.user.is_superuser:
            towns = administered_towns(request.user)
            queryset = queryset.filter(Q(town__in=towns) | Q(user__roles__town__in=towns))
        count = token_revoke(by=request.user, tokens=queryset.select_related("user"))
        self.message_user(request, _("已撤销 %(count)d 个令牌") % {"count": count})
