"""People of the town and their roles: create a person with a login, edit, set a password,
deactivate; assign roles with their scope and dates, and end them."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _t

from gridcase.core import clock
from gridcase.core.errors import ServiceError
from gridcase.org import services
from gridcase.org.models import Role, Town, User
from gridcase.org.selectors import in_force
from gridcase.web import forms_manage as fm

from .common import bound, done, manage_view, page, refused

PAGE_SIZE = 50


def _people(town: Town):
    # Superusers are never managed from a town's pages (org.services._person_town).
    return User.objects.filter(town=town, is_superuser=False)


def _roles():
    return Role.objects.select_related("village", "grid", "grid__village", "unit").order_by(
        "kind", "active_from", "id"
    )


@manage_view
def people(request: HttpRequest, town: Town) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:50]
    kind = request.GET.get("kind") or ""
    status = request.GET.get("status") or "active"
    rows = _people(town)
    if q:
        rows = rows.filter(
            Q(username__icontains=q) | Q(display_name__icontains=q) | Q(phone__icontains=q)
        )
    if kind in Role.Kind.values:
        rows = rows.filter(roles__kind=kind, roles__town=town).distinct()
    if status == "active":
        rows = rows.filter(is_active=True)
    elif status == "inactive":
        rows = rows.filter(is_active=False)
    rows = rows.order_by("display_name", "username").prefetch_related(
        Prefetch("roles", queryset=_roles().filter(town=town))
    )
    paged = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = clock.today(town.timezone)
    return page(
        request,
        town,
        "web/manage/people.html",
        "people",
        {
            "page_obj": paged,
            "rows": [
                {
                    "person": person,
                    "roles": [r for r in person.roles.all() if in_force(r, today)],
                }
                for person in paged
            ],
            "q": q,
            "kind": kind,
            "status": status,
            "kinds": Role.Kind.choices,
        },
    )


@manage_view
def person_new(request: HttpRequest, town: Town) -> HttpResponse:
    form = fm.PersonCreateForm(bound(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_create(
                by=request.user,
                town=town,
                username=data["username"],
                display_name=data["display_name"],
                phone=data["phone"],
                password=data["password"],
            )
        except ServiceError as exc:
            fm.apply_error(form, exc)
        else:
            return done(
                request,
                _t("已创建人员“%(name)s”,登录名 %(username)s。请为其分配角色。")
                % {"name": person.display_name, "username": person.username},
                "manage:person",
                town.pk,
                person.pk,
            )
    return page(
        request,
        town,
        "web/manage/person_new.html",
        "people",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _person_page(request, town, person, *, form=None, password_form=None, role_form=None):
    today = clock.today(town.timezone)
    roles = [
        {
            "role": r,
            "active": in_force(r, today),
            "ended": r.active_until is not None and r.active_until < today,
        }
        for r in _roles().filter(user=person, town=town)
    ]
    failed = any(f is not None and f.errors for f in (form, password_form, role_form))
    return page(
        request,
        town,
        "web/manage/person.html",
        "people",
        {
            "person": person,
            "roles": roles,
            "form": form
            or fm.PersonForm(initial={"display_name": person.display_name, "phone": person.phone}),
            "password_form": password_form or fm.PasswordForm(),
            "role_form": role_form or fm.RoleForm(town=town, initial={"active_from": today}),
            "is_self": person.pk == request.user.pk,
        },
        status=400 if failed else 200,
    )


def _person(town: Town, pk: int) -> User:
    return get_object_or_404(_people(town), pk=pk)


@manage_view
def person(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    person = _person(town, pk)
    if request.method != "POST":
        return _person_page(request, town, person)
    form = fm.PersonForm(request.POST)
    if form.is_valid():
        try:
            services.person_update(by=request.user, town=town, person=person, **form.cleaned_data)
        except ServiceError as exc:
            fm.apply_error(form, exc)
        else:
            return done(request, _t("已保存"), "manage:person", town.pk, person.pk)
    return _person_page(request, town, person, form=form)


@manage_view
def person_password(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    person = _person(town, pk)
    if request.method != "POST":
        return _person_page(request, town, person)
    form = fm.PasswordForm(request.POST)
    if form.is_valid():
        try:
            services.person_set_password(
                by=request.user, town=town, person=person, password=form.cleaned_data["password"]
            )
        except ServiceError as exc:
            fm.apply_error(form, exc)
        else:
            return done(request, _t("已重设密码"), "manage:person", town.pk, person.pk)
    return _person_page(request, town, person, password_form=form)


@manage_view
def person_active(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    person = _person(town, pk)
    if request.method != "POST":
        return _person_page(request, town, person)
    active = request.POST.get("active") == "1"
    try:
        services.person_set_active(by=request.user, town=town, person=person, active=active)
    except ServiceError as exc:
        return refused(request, exc, "manage:person", town.pk, person.pk)
    message = _t("已启用该账号") if active else _t("已停用该账号:不能再登录,也不再收到通知")
    return done(request, message, "manage:person", town.pk, person.pk)


@manage_view
def role_add(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    person = _person(town, pk)
    if request.method != "POST":
        return _person_page(request, town, person)
    form = fm.RoleForm(request.POST, town=town)
    if form.is_valid():
        try:
            role = services.role_assign(
                by=request.user, town=town, person=person, **form.cleaned_data
            )
        except ServiceError as exc:
            fm.apply_error(form, exc)
        else:
            return done(
                request,
                _t("已分配角色:%(role)s") % {"role": role},
                "manage:person",
                town.pk,
                person.pk,
            )
    return _person_page(request, town, person, role_form=form)


@manage_view
def role_revoke(request: HttpRequest, town: Town, pk: int, role_pk: int) -> HttpResponse:
    person = _person(town, pk)
    role = get_object_or_404(Role, pk=role_pk, user=person, town=town)
    if request.method != "POST":
        return _person_page(request, town, person)
    label = str(role)
    try:
        ended = services.role_revoke(by=request.user, town=town, role=role)
    except ServiceError as exc:
        return refused(request, exc, "manage:person", town.pk, person.pk)
    if ended is None:
        message = _t("尚未生效的角色已删除:%(role)s") % {"role": label}
    else:
        message = _t("角色已于 %(day)s 结束:%(role)s") % {"role": label, "day": ended.active_until}
    return done(request, message, "manage:person", town.pk, person.pk)
