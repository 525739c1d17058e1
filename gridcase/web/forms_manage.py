"""The administration pages' forms. They parse what the administrator types; the rules (names
unique in the town, what a role needs, what may be deleted) live in `org.places` and `org.services`.

Choices of villages, grids and units are limited to the town. A value outside them can only
be forged (the page never offers it): it raises `NotInScope`, which the pages answer with 404,
like every other path to another town's rows.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridcase.core import limits
from gridcase.core.errors import ServiceError
from gridcase.core.models import CalendarOverride
from gridcase.core.text import TextField
from gridcase.notify.services import clean_channel
from gridcase.org import places, services
from gridcase.org.checks import NotInScope
from gridcase.org.models import Grid, Role, Unit, Village
from gridcase.org.services import SCOPE_FIELDS, SCOPE_HELP

DATE = {"type": "date"}
ISO = "%Y-%m-%d"


class ScopedChoiceField(forms.ModelChoiceField):
    """A row of the town; any other id is a forged request (404), not a typing mistake."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as exc:
            if exc.code == "invalid_choice":
                raise NotInScope(f"{self.queryset.model.__name__} {value!r}") from None
            raise


def apply_error(form: forms.Form, exc: ServiceError) -> None:
    """A service's error next to the fields it names (the rest at the top of the form)."""
    placed = False
    for field, messages in exc.fields.items():
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def run_check(form: forms.Form, check, *args) -> None:
    """Run a service's own check (it writes nothing) on the values the form could read, in the
    form's clean(): its refusals are then listed at once with the form's own problems, each
    next to its field (issue 14), instead of only after the others are corrected. A field the
    form already faults keeps its own message; the service checks it again on save."""
    try:
        check(*args)
    except ServiceError as exc:
        placed = False
        for field, messages in exc.fields.items():
            if field in form.fields:
                placed = True
                if field not in form.errors:
                    for message in messages:
                        form.add_error(field, message)
        if not placed and not form.errors:
            form.add_error(None, exc.message)


def date_field(label, **kwargs) -> forms.DateField:
    # <input type="date"> sends and shows ISO dates whatever the page's language.
    return forms.DateField(label=label, widget=forms.DateInput(attrs=DATE, format=ISO), **kwargs)


# ---------------------------------------------------------------- villages, grids, units


class VillageForm(forms.Form):
    name = TextField(label=_("行政村名称"), max_length=limits.PLACE_NAME)


class GridForm(forms.Form):
    village = ScopedChoiceField(label=_("所属行政村"), queryset=Village.objects.none())
    name = TextField(label=_("网格名称"), max_length=limits.PLACE_NAME)

    def __init__(self, *args, town, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.filter(town=town).order_by("name")


class GridRenameForm(forms.Form):
    name = TextField(label=_("网格名称"), max_length=limits.PLACE_NAME)


class UnitForm(forms.Form):
    kind = forms.ChoiceField(label=_("单位类型"), choices=Unit.Kind.choices)
    name = TextField(label=_("单位名称"), max_length=limits.PLACE_NAME)
    village = ScopedChoiceField(
        label=_("所属行政村"),
        queryset=Village.objects.none(),
        required=False,
        help_text=_("仅村社会服务管理站需要选择"),
    )

    def __init__(self, *args, town, kind=None, unit=None, **kwargs):
        """`kind` and `unit`: the unit's, when editing it."""
        super().__init__(*args, **kwargs)
        self.town, self.kind, self.unit = town, kind, unit
        self.fields["village"].queryset = Village.objects.filter(town=town).order_by("name")
        if kind is not None:
            # Editing: the kind stays (roles and cases depend on it).
            del self.fields["kind"]

    def clean(self):
        data = super().clean()
        kind = self.kind or data.get("kind")
        if kind and "village" not in self.errors:
            run_check(self, places.unit_village, self.town, kind, data.get("village"))
        if data.get("name"):
            run_check(self, places.unit_name_free, self.town, data["name"], self.unit)
        return data


# ---------------------------------------------------------------- people and roles


class PasswordFields(forms.Form):
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("再次输入密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        if data.get("password"):
            # The person's own attributes are compared again when the service sets it.
            run_check(self, services.clean_password, data["password"], None)
        return data


class PersonCreateForm(PasswordFields):
    username = TextField(
        label=_("登录名"),
        max_length=limits.USERNAME,
        help_text=_("字母、数字和 @ . + - _,登录时使用"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    display_name = TextField(label=_("姓名"), max_length=limits.PERSON_NAME)
    phone = TextField(label=_("手机号"), max_length=limits.PHONE, required=False)

    field_order = ["username", "display_name", "phone", "password", "password2"]

    def clean(self):
        data = super().clean()
        if data.get("username"):
            run_check(self, services.clean_username, data["username"])
        if "phone" in data:
            run_check(self, services.clean_phone, data["phone"])
        return data


class PersonForm(forms.Form):
    display_name = TextField(label=_("姓名"), max_length=limits.PERSON_NAME)
    phone = TextField(label=_("手机号"), max_length=limits.PHONE, required=False)

    def clean(self):
        data = super().clean()
        if "phone" in data:
            run_check(self, services.clean_phone, data["phone"])
        return data


class PasswordForm(PasswordFields):
    pass


class RoleForm(forms.Form):
    kind = forms.ChoiceField(label=_("角色"), choices=Role.Kind.choices)
    village = ScopedChoiceField(label=_("行政村"), queryset=Village.objects.none(), required=False)
    grid = ScopedChoiceField(label=_("网格"), queryset=Grid.objects.none(), required=False)
    unit = ScopedChoiceField(label=_("单位"), queryset=Unit.objects.none(), required=False)
    active_from = date_field(_("起始日期"), required=False)
    active_until = date_field(_("截止日期"), required=False, help_text=_("空着表示长期有效"))

    def __init__(self, *args, town, **kwargs):
        super().__init__(*args, **kwargs)
        self.town = town
        self.fields["village"].queryset = Village.objects.filter(town=town).order_by("name")
        self.fields["grid"].queryset = (
            Grid.objects.filter(village__town=town)
            .select_related("village")
            .order_by("village__name", "name")
        )
        self.fields["unit"].queryset = Unit.objects.filter(town=town).order_by("kind", "name")
        self.fields["kind"].help_text = "; ".join(
            f"{Role.Kind(k).label}: {v}" for k, v in SCOPE_HELP.items()
        )
        # Only the scope fields of the chosen kind are shown (web/static/web/show_when.js).
        for name in ("village", "grid", "unit"):
            kinds = " ".join(k for k, fields in SCOPE_FIELDS.items() if name in fields)
            self.fields[name].widget.attrs["data-show-when"] = f"kind:{kinds}"

    def clean(self):
        data = super().clean()
        scope = ("village", "grid", "unit")
        if data.get("kind") and not any(name in self.errors for name in scope):
            run_check(self, services.role_scope, data["kind"], *(data.get(n) for n in scope))
        if not any(name in self.errors for name in ("active_from", "active_until")):
            dates = data.get("active_from"), data.get("active_until")
            run_check(self, services.role_dates, self.town, *dates)
        return data


# ---------------------------------------------------------------- calendar, policy


class CalendarOverrideForm(forms.Form):
    day = date_field(_("日期"))
    kind = forms.ChoiceField(
        label=_("类型"), choices=CalendarOverride.Kind.choices, widget=forms.RadioSelect
    )
    note = TextField(label=_("说明"), max_length=limits.CALENDAR_NOTE, required=False)

    def __init__(self, *args, town, **kwargs):
        super().__init__(*args, **kwargs)
        self.town = town

    def clean(self):
        data = super().clean()
        if data.get("day"):
            run_check(self, services.calendar_day_free, self.town, data["day"])
        return data


class PolicyForm(forms.Form):
    """A policy file, uploaded or pasted (TOML)."""

    MAX_BYTES = 200_000

    file = forms.FileField(label=_("上传策略文件(.toml)"), required=False)
    source = TextField(
        label=_("或粘贴策略文件内容"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "mono"}),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > self.MAX_BYTES:
                self.add_error("file", _("文件过大(最多 200 KB)"))
                return data
            try:
                data["source"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("文件须为 UTF-8 编码的文本(TOML)"))
                return data
            # A browser cannot refill a file input: the page shown again (after a check, or a
            # refusal) keeps the file as its text in the box below, to correct and save.
            self.data = self.data.copy()
            self.data["source"] = data["source"]
            kept = _("已放入上传文件“%(name)s”的内容,可在此修改后再保存") % {"name": upload.name}
            # The bound field copied the help when the fields were cleaned.
            self.fields["source"].help_text = self["source"].help_text = kept
        if not (data.get("source") or "").strip():
            self.add_error("source", _("请上传策略文件或粘贴其内容"))
        return data


# ---------------------------------------------------------------- notification channels


class ChannelForm(forms.Form):
    unit = ScopedChoiceField(label=_("单位"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("渠道类型"), choices=())
    name = TextField(label=_("名称"), max_length=limits.CHANNEL_NAME, required=False)
    target = TextField(
        label=_("地址"),
        max_length=limits.CHANNEL_TARGET,
        help_text=_("机器人或 Webhook 的完整地址;电子邮件填写收件邮箱,多个用逗号分隔"),
    )
    secret = forms.CharField(
        label=_("签名密钥"),
        max_length=limits.CHANNEL_SECRET,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    # What notify's check asks of a secret, told before the form is sent, not after.
    SECRET_HELP = _(
        "通用 Webhook 必填,至少 %(n)s 个字符;钉钉填写以 SEC 开头的加签密钥;企业微信和电子邮件不用填"
    )
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, town, kinds, kind=None, **kwargs):
        """`kind`: the channel's, when editing it (its unit and kind then stay)."""
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["unit"].queryset = Unit.objects.filter(town=town).order_by("kind", "name")
        self.fields["kind"].choices = kinds
        self.fields["secret"].help_text = self.SECRET_HELP % {"n": limits.WEBHOOK_SECRET_MIN}
        if kind is not None:
            # A channel's unit and kind stay; to move it, add a new one.
            del self.fields["unit"]
            del self.fields["kind"]
            keep = _("不修改请留空(已保存的密钥不会显示)")
            self.fields["secret"].help_text = f"{keep} {self.fields['secret'].help_text}"

    def clean(self):
        data = super().clean()
        kind = self.kind or data.get("kind")
        if kind:
            secret = data.get("secret") or ""
            try:
                clean_channel(kind, data.get("target") or "", secret, data.get("name") or "")
            except ServiceError as exc:
                for field, messages in exc.fields.items():
                    if field == "secret" and self.kind and not secret:
                        continue  # left blank when editing: the stored secret stays
                    if field in self.fields and field not in self.errors:
                        for message in messages:
                            self.add_error(field, message)
        return data
