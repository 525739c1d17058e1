"""The town's assessment policy: the versions, the one in force today, and a new version
(uploaded or pasted TOML, checked by `core.policy.parse_policy`; errors name the key)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t

from gridcase.assessment.policy_versions import policy_check, policy_upload, policy_versions
from gridcase.cases.errors import CaseError
from gridcase.core import clock
from gridcase.core.policy import DEFAULT_POLICY_PATH
from gridcase.org.models import PolicyVersion, Role, Town, User
from gridcase.org.policies import policy_for
from gridcase.org.selectors import roles_in_force
from gridcase.web import forms_manage as fm

from .common import bound, done, manage_view, page


def _uploader(user: User, town: Town) -> User | None:
    """The assessment's service records who uploaded; it accepts the town's administrators.
    A superuser without a role in the town uploads as the operator (None), as at the command
    line."""
    if any(
        r.kind == Role.Kind.ADMINISTRATOR and r.town_id == town.pk for r in roles_in_force(user)
    ):
        return user
    return None if user.is_superuser else user


def _in_force(town: Town, versions: list[PolicyVersion], today):
    policy = policy_for(town, today)
    current = next(
        (
            v
            for v in versions
            if v.effective_from == policy.effective_from and v.code == policy.code
        ),
        None,
    )
    return policy, current


@manage_view
def policy_page(request: HttpRequest, town: Town) -> HttpResponse:
    today = clock.today(town.timezone)
    form = fm.PolicyForm(bound(request), request.FILES or None)
    checked = None
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        try:
            if request.POST.get("action") == "check":
                checked = policy_check(source)
            else:
                version = policy_upload(town=town, source=source, by=_uploader(request.user, town))
                return done(
                    request,
                    _t("已保存考核策略 %(code)s,自 %(day)s 起生效")
                    % {"code": version.code, "day": version.effective_from},
                    "manage:policy",
                    town.pk,
                )
        except CaseError as exc:
            form.add_error("source", exc.message)
    versions = list(policy_versions(town).order_by("-effective_from"))
    policy, current = _in_force(town, versions, today)
    return page(
        request,
        town,
        "web/manage/policy.html",
        "policy",
        {
            "form": form,
            "checked": checked,
            "versions": versions,
            "policy": policy,
            "current": current,
            "today": today,
            "default_name": DEFAULT_POLICY_PATH.name,
        },
        status=400 if form.errors else 200,
    )


@manage_view
def policy_version(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    version = get_object_or_404(
        PolicyVersion.objects.select_related("uploaded_by"), pk=pk, town=town
    )
    return page(
        request,
        town,
        "web/manage/policy_version.html",
        "policy",
        {"version": version},
    )


@manage_view
def policy_default(request: HttpRequest, town: Town) -> HttpResponse:
    """The built-in policy (in force when the town has no version yet): a starting point."""
    return page(
        request,
        town,
        "web/manage/policy_version.html",
        "policy",
        {"version": None, "source": DEFAULT_POLICY_PATH.read_text(encoding="utf-8")},
    )
