"""Entering a case: one form for the draft, its parties and photos; save, submit, or close on
the spot. Whatever was typed is kept: a draft is saved before submit checks the elements, and
a refused check shows its messages next to the fields with the values still in them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gridcase.cases import attachments, elements, filing, placing, selectors, services
from gridcase.cases.changes import case_values
from gridcase.cases.errors import ActionNotAllowed, CaseError
from gridcase.cases.models import Case, State
from gridcase.core import clock, coords
from gridcase.org import boundaries
from gridcase.org.models import Grid, Role, Town, Village
from gridcase.org.selectors import roles_in_force
from gridcase.web.forms import (
    CaseForm,
    CloseForm,
    PartyForm,
    add_service_errors,
    party_formset,
)
from gridcase.web.views.case_detail import get_case_or_404

INTENTS = {"save", "submit", "submit_accept", "on_spot", "add_party"}


def _officer_town(request: HttpRequest) -> Town:
    """The town a new draft goes to (cases.filing.draft_place, as for the API)."""
    try:
        town, _village = filing.draft_place(request.user)
    except ActionNotAllowed:
        raise PermissionDenied(_("只有网格专管员可以录入事件")) from None
    except CaseError:
        # An officer of several towns: the form has no village field yet, so the workbench
        # enters the draft in their first village (as it always has); the API asks for one.
        first = next(r for r in roles_in_force(request.user) if r.kind == Role.Kind.OFFICER)
        town, _village = filing.draft_place(request.user, village_id=first.village_id)
    return town


def _case_form(request: HttpRequest, town: Town, case: Case | None, **kwargs) -> CaseForm:
    """The form with the places the officer may choose: for a new case the villages they
    serve in the town and their grids; a draft keeps its village, so only its grids."""
    if case is not None:
        grids = Grid.objects.filter(village=case.village_id).select_related("village")
        return CaseForm(grids=grids, **kwargs)
    served = [r.village_id for r in placing.officer_roles(request.user, town)]
    villages = Village.objects.filter(pk__in=served)
    grids = Grid.objects.filter(village__in=served).select_related("village")
    return CaseForm(villages=villages, grids=grids, **kwargs)


def _render(
    request,
    *,
    case,
    town,
    form,
    parties,
    close,
    status=200,
    errors=(),
    photo_errors=(),
    party_errors=(),
):
    return render(
        request,
        "web/case_form.html",
        {
            "nav_section": "new" if case is None else "queue",
            "case": case,
            "town": town,
            "form": form,
            "parties": parties,
            "close": close,
            "errors": list(errors),
            "photo_errors": list(photo_errors),
            "party_errors": list(party_errors),
            "open_close": bool(close.is_bound and close.errors),
            "pick_bounds": _pick_bounds(form),
        },
        status=status,
    )


def _pick_bounds(form: CaseForm) -> str:
    """Where the point picker opens: around the grids the form offers, else their villages."""
    for name in ("grid", "village"):
        field = form.fields.get(name)
        if field is not None and field.queryset is not None:
            box = boundaries.bbox_text(field.queryset.values_list("boundary", flat=True))
            if box:
                return box
    return ""


@login_required
def new(request: HttpRequest) -> HttpResponse:
    town = _officer_town(request)
    with timezone.override(town.timezone):
        if request.method == "POST":
            return _handle(request, case=None, town=town)
        form = _case_form(
            request,
            town,
            None,
            initial={"category": "dispute", "occurred_at": clock.now().replace(second=0)},
        )
        return _render(
            request,
            case=None,
            town=town,
            form=form,
            parties=party_formset(),
            close=CloseForm(prefix="close"),
        )


@login_required
def edit(request: HttpRequest, number: str) -> HttpResponse:
    case = get_case_or_404(request, number)
    if case.state != State.DRAFT or "edit" not in selectors.allowed_actions(request.user, case):
        messages.info(request, _("该事件已提交,不能再修改草稿。"))
        return redirect("web:case_detail", number=case.number)
    with timezone.override(case.town.timezone):
        if request.method == "POST":
            return _handle(request, case=case, town=case.town)
        return _render(
            request,
            case=case,
            town=case.town,
            form=_case_form(request, case.town, case, initial=CaseForm.initial_from(case)),
            parties=party_formset(parties=case.parties.all()),
            close=CloseForm(prefix="close"),
        )


def _handle(request: HttpRequest, *, case: Case | None, town: Town) -> HttpResponse:
    intent = request.POST.get("intent", "save")
    if intent not in INTENTS:
        intent = "save"
    form = _case_form(request, town, case, data=request.POST)
    parties = party_formset(request.POST, add=1 if intent == "add_party" else 0)
    close = CloseForm(request.POST, prefix="close")
    page = {"case": case, "town": town, "form": form, "parties": parties, "close": close}
    forms_ok = all([form.is_valid(), parties.is_valid(), close.is_valid()])
    if intent == "add_party" or not forms_ok:
        # Adding a row without JavaScript re-shows the form with one more row; nothing is saved.
        return _render(request, **page, status=200 if forms_ok else 400)

    data = form.service_data() | {"parties": parties.service_data()}
    party_problems: list[str] = []
    try:
        case = _save_draft(request, town, case, data)
    except CaseError as exc:
        if set(exc.fields) != {"parties"}:
            # Nothing was saved (a new case) or the draft is unchanged; the values stay.
            return _refused(request, exc, page)
        # Only a party's number or name is wrong: the rest is saved as a draft, as when
        # elements are missing (one error path); the wrong rows stay in the form to correct.
        party_problems = exc.fields["parties"]
        kept = [p for p in data["parties"] if not elements.party_errors([p])]
        try:
            case = _save_draft(request, town, case, data | {"parties": kept})
        except CaseError as again:
            return _refused(request, again, page)
    page["case"] = case

    photo_errors = []
    for upload in request.FILES.getlist("photos"):
        try:
            attachments.case_attach(case=case, by=request.user, upload=upload)
        except CaseError as exc:
            photo_errors.append(exc.message)
    if party_problems:
        return _party_problems(request, page, party_problems, photo_errors, intent, data)
    if photo_errors:
        messages.warning(request, _("草稿已保存,但有照片未能上传,请查看照片一栏。"))
        return _render(request, **page, status=400, photo_errors=photo_errors)

    if intent == "save":
        messages.success(request, _("草稿已保存。"))
        return redirect("web:case_edit", number=case.number)
    try:
        if intent == "submit":
            filing.case_submit(case=case, by=request.user)
            messages.success(
                request,
                _("事件 %(number)s 已提交,请在 %(due)s 前受理。")
                % {"number": case.number, "due": case.accept_due},
            )
        elif intent == "submit_accept":
            # The grid is the officer: handed in and taken on in one step (issue 14).
            services.case_submit_and_accept(case=case, by=request.user)
            messages.success(
                request,
                _("事件 %(number)s 已提交并受理,请在 %(due)s 前结案或上报。")
                % {"number": case.number, "due": case.handle_due},
            )
        else:
            mediation = case.category == "dispute"
            services.case_handle_on_spot(
                case=case, by=request.user, data=close.service_data(mediation=mediation)
            )
            messages.success(request, _("事件 %(number)s 已当场办结。") % {"number": case.number})
    except CaseError as exc:
        # The draft is saved; the page (now the draft's) says what is missing next to each field.
        case.refresh_from_db()
        return _refused(request, exc, page)
    return redirect("web:case_detail", number=case.number)


def _save_draft(request: HttpRequest, town: Town, case: Case | None, data: dict) -> Case:
    if case is None:
        return filing.case_create_draft(town=town, by=request.user, data=data)
    return filing.case_update_draft(case=case, by=request.user, data=data)


def _party_problems(
    request: HttpRequest,
    page: dict,
    problems: list[str],
    photo_errors: list[str],
    intent: str,
    data: dict,
) -> HttpResponse:
    """The draft is saved without the wrong party rows, its photos kept; the page lists every
    problem at once: the parties', and what a submit would still miss (as typed)."""
    case = page["case"]
    if intent != "save":
        missing = elements.missing_at_submit(case_values(case) | {"parties": data["parties"]})
        if missing:
            add_service_errors(CaseError.from_pairs("", missing), [page["form"], page["close"]])
    messages.warning(request, _("草稿已保存,请改正当事人信息后再提交。"))
    return _render(
        request,
        **page,
        status=400,
        errors=[_("当事人信息有误,未保存这些行:") + ";".join(problems)],
        party_errors=problems,
        photo_errors=photo_errors,
    )


def _refused(request: HttpRequest, exc: CaseError, page: dict) -> HttpResponse:
    """A service refused: its summary on top, each message next to its field."""
    add_service_errors(exc, [page["form"], page["close"]])
    return _render(
        request,
        **page,
        status=400,
        errors=[exc.message],
        party_errors=exc.fields.get("parties", []),
        photo_errors=exc.fields.get("file", []),
    )


@login_required
@require_GET
def party_row(request: HttpRequest) -> HttpResponse:
    """One more empty party row (htmx); the form works without it by re-rendering."""
    _officer_town(request)
    try:
        index = max(0, min(int(request.GET.get("index", "0")), 29))
    except ValueError:
        index = 0
    form = PartyForm(prefix=f"parties-{index}")
    return render(request, "web/_party_row.html", {"pform": form, "index": index, "oob": True})


# ---------------------------------------------------------------- where a point lies


def _place_json(ok: bool, message: str, status: int = 200, **extra) -> JsonResponse:
    return JsonResponse({"found": ok, "message": message, **extra}, status=status)


@login_required
@require_GET
def locate(request: HttpRequest) -> HttpResponse:
    """Where a point lies, for the entry form's hint (locate.js): ?lat=&lon=&crs= (crs as the
    form's: wgs84, gcj02, bd09). Only in the towns where the person is an officer, and by the
    rules that will place the case on save (cases/placing.py); nothing is written."""
    officer_roles = [r for r in roles_in_force(request.user) if r.kind == Role.Kind.OFFICER]
    if not officer_roles:
        raise PermissionDenied(_("只有网格专管员可以录入事件"))
    try:
        lat, lon = float(request.GET["lat"]), float(request.GET["lon"])
        system = coords.System(request.GET.get("crs") or coords.System.WGS84)
    except (KeyError, ValueError):
        return _place_json(False, _("请填写有效的纬度、经度和坐标系"), status=400)
    if not (abs(lat) <= coords.MAX_LATITUDE and abs(lon) <= coords.MAX_LONGITUDE):
        return _place_json(False, _("请填写有效的纬度、经度和坐标系"), status=400)
    lat, lon = coords.to_wgs84(lat, lon, system)
    point = {"latitude": round(lat, 6), "longitude": round(lon, 6)}
    served = {r.village_id for r in officer_roles}
    towns = {r.town_id: r.town for r in officer_roles}
    any_mapped = False
    for town in sorted(towns.values(), key=lambda town: town.pk):
        where = placing.spot(town, lat, lon)
        any_mapped = any_mapped or where.mapped
        if where.village is None:
            continue
        name = placing.place_name(where.village, where.grid)
        yours = where.village.pk in served
        if yours:
            message = _("位置属于:%(place)s") % {"place": name}
        else:
            message = _("位置属于:%(place)s(不在您负责的行政村,请核对经纬度和坐标系)") % {
                "place": name
            }
        grid = where.grid
        return _place_json(
            True,
            message,
            yours=yours,
            village={"id": where.village.pk, "name": where.village.name},
            grid={"id": grid.pk, "name": grid.name} if grid is not None else None,
            **point,
        )
    if any_mapped:
        message = _(
            "该位置不在本镇任何行政村和网格的边界内:请核对经纬度和坐标系,或手动选择所属行政村和网格"
        )
    else:
        message = _("本镇尚无完整的边界数据,保存时按您负责的行政村和网格登记")
    return _place_json(False, message, mapped=any_mapped, **point)
