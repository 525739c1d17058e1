"""Filing a case, from any source: the one way a case comes into the system.

- which town a new draft belongs to (`draft_place`), for the workbench and the API alike;
  its village and grid come from a place chosen by hand or its point (`placing`);
- a draft entered by an officer (`case_create_draft`, `case_update_draft`), handed in with
  every element checked (`case_submit`); from the field terminal, once per device id
  (`case_create_draft_once`: a re-send is the same case, the rule in `client_ids`);
- a report filed by the system on an officer's behalf (`file_report`: Open311, and the
  field terminal to come), submitted at once with whatever elements it lacks recorded;
- the case number (`next_number`).

Every submit goes through the workflow's check and sets the deadlines of
`TownClock.at_submit`; the ledger import, which writes historical cases in bulk, takes the
same deadlines (ledger/derivation.py) and content limits (core/limits.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gridcase.core import clock
from gridcase.org.models import Grid, Role, Town, User, Village
from gridcase.org.selectors import roles_in_force

from . import client_ids, elements, placing, selectors
from .changes import case_values, now_or, record, require_action, swap, transition
from .deadlines import SUBMIT_LEVEL, town_clock
from .errors import ActionNotAllowed, CaseError, Conflict
from .models import Case, CaseCounter, Category, Party, Source, State
from .placing import officer_village as officer_village  # its home is placing; kept here too
from .validation import check_major, clean_content


def next_number(town: Town, at: datetime) -> str:
    """CT-2026-00042: the town's code, the local year, and a counter taken under a row lock."""
    year = clock.local_date(at, town.timezone).year
    try:
        with transaction.atomic():
            CaseCounter.objects.get_or_create(town=town, year=year)
    except IntegrityError:
        pass  # created by a concurrent transaction: the row exists now
    counter = CaseCounter.objects.select_for_update().get(town=town, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{town.code.upper()}-{year}-{counter.last:05d}"


# ---------------------------------------------------------------- where a draft belongs


def draft_place(
    user: User, *, village_id: int | None = None, grid_id: int | None = None
) -> tuple[Town, Village | None]:
    """Where a new draft goes: the given village (or the given grid's), else the officer's own
    village (None here: `case_create_draft` takes it from their role). A grid always brings
    its village, so a draft never lies in one village and a grid of another. An officer of
    several towns must name the village. CaseError names the field otherwise."""
    roles = roles_in_force(user)
    towns = {r.town_id for r in roles}
    if village_id is None and grid_id is not None:
        grid = (
            Grid.objects.select_related("village__town")
            .filter(pk=grid_id, village__town_id__in=towns)
            .first()
        )
        if grid is None:
            raise CaseError(_("网格不存在"), {"grid": [_("网格不存在或不属于您所在的镇")]})
        return grid.village.town, grid.village
    if village_id is not None:
        village = Village.objects.select_related("town").filter(pk=village_id).first()
        if village is None or village.town_id not in towns:
            raise CaseError(_("行政村不存在"), {"village": [_("行政村不存在或不属于您所在的镇")]})
        return village.town, village
    officer_towns = {r.town_id: r.town for r in roles if r.kind == Role.Kind.OFFICER}
    if not officer_towns:
        raise ActionNotAllowed(_("只有本镇的网格专管员可以录入事件"))
    if len(officer_towns) > 1:
        raise CaseError(_("请指定行政村"), {"village": [_("您在多个镇任职,请指定行政村")]})
    return next(iter(officer_towns.values())), None


def save_parties(case: Case, parties: list[dict[str, str]]) -> None:
    case.parties.all().delete()
    Party.objects.bulk_create(
        Party(case=case, name=p["name"], phone=p["phone"], position=i)
        for i, p in enumerate(parties)
    )


# ---------------------------------------------------------------- drafts


def _create(
    *,
    town: Town,
    village: Village,
    grid: Grid | None,
    officer: User,
    source: str,
    clean: dict[str, Any],
    parties: list[dict[str, str]],
    by: User | None,
    at: datetime,
    note: str = "",
    data: dict | None = None,
    client: tuple[UUID, str] | None = None,
) -> Case:
    client_id, client_digest = client or (None, "")
    case = Case.objects.create(
        town=town,
        number=next_number(town, at),
        village=village,
        grid=grid,
        officer=officer,
        source=source,
        state=State.DRAFT,
        level=SUBMIT_LEVEL,
        client_id=client_id,
        client_digest=client_digest,
        **clean,
    )
    save_parties(case, parties)
    record(case, action="create", by=by, at=at, note=note, data=data)
    return case


@transaction.atomic
def case_create_draft(
    *, town: Town, by: User, data: Mapping[str, Any], at=None, client_id: UUID | None = None
) -> Case:
    """An officer starts a case. Drafts may be incomplete; what is given must be well-formed.
    With `client_id` (the field terminal's id for it) the case keeps the id and the digest of
    `data`; a create that may be a re-send goes through `case_create_draft_once`."""
    at = now_or(at)
    client = (client_id, client_ids.digest(data)) if client_id is not None else None
    clean = clean_content(town, placing.in_wgs84(data))
    village, grid = placing.place_draft(
        town=town,
        by=by,
        village=clean.pop("village", None),
        grid=clean.pop("grid", None),
        point=placing.point_of(clean),
    )
    parties = clean.pop("parties", [])
    clean.setdefault("category", Category.OTHER)
    check_major(clean["category"], clean.get("major", False))
    return _create(
        town=town,
        village=village,
        grid=grid,
        officer=by,
        source=Source.ENTERED,
        clean=clean,
        parties=parties,
        by=by,
        at=at,
        client=client,
    )


class ClientIdConflict(Conflict):
    """The client_id is another case's: other content, or another person's (409). `number`
    is that case's only when the sender may see it."""

    code = "client_id_conflict"

    def __init__(self, message: str, number: str | None):
        super().__init__(message, {"client_id": [message]})
        self.number = number
        self.extra = {"number": number} if number else {}


def _resent(case: Case, *, by: User, data: Mapping[str, Any]) -> Case:
    outcome = client_ids.resend(
        stored_digest=case.client_digest,
        stored_by=case.officer_id,
        sent_digest=client_ids.digest(data),
        sent_by=by.pk,
    )
    if outcome is client_ids.Resend.REPLAY:
        return case
    visible = selectors.visible_cases(by).filter(pk=case.pk).exists()
    if visible:
        message = _(
            "该终端编号(client_id)已用于事件 %(number)s,但内容不同:"
            "请核对后修改该事件,或为新的事件生成新的编号"
        ) % {"number": case.number}
    else:
        message = _("该终端编号(client_id)已被另一事件使用:请为新的事件生成新的编号")
    raise ClientIdConflict(message, case.number if visible else None)


def case_create_draft_once(
    *, town: Town, by: User, data: Mapping[str, Any], client_id: UUID, at=None
) -> tuple[Case, bool]:
    """The field terminal's create: (case, True) the first time; (the same case, False) when
    the same person sends the same content with the same id again, however late;
    ClientIdConflict otherwise. Two sends at once: the unique constraint on client_id lets one
    insert, the other reads the winner's case and replays or conflicts."""
    existing = Case.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _resent(existing, by=by, data=data), False
    try:
        with transaction.atomic():
            case = case_create_draft(town=town, by=by, data=data, at=at, client_id=client_id)
    except IntegrityError:
        existing = Case.objects.filter(client_id=client_id).first()
        if existing is None:
            raise  # another constraint: not ours to explain
        return _resent(existing, by=by, data=data), False
    return case, True


@transaction.atomic
def case_update_draft(*, case: Case, by: User, data: Mapping[str, Any], at=None) -> Case:
    at = now_or(at)
    require_action("edit", case, by)
    clean = clean_content(case.town, placing.in_wgs84(data))
    clean.pop("village", None)
    if "grid" in clean or {"latitude", "longitude"} & set(clean):
        point = placing.point_of(
            {f: clean.get(f, getattr(case, f)) for f in ("latitude", "longitude")}
        )
        grid = placing.replace_draft(case=case, grid=clean.get("grid"), point=point)
        if grid != case.grid:
            clean["grid"] = grid
        else:
            clean.pop("grid", None)
    parties = clean.pop("parties", None)
    check_major(clean.get("category", case.category), clean.get("major", case.major))
    swap(case, clean)
    if parties is not None:
        save_parties(case, parties)
    record(case, action="edit", by=by, at=at, data={"fields": sorted(data)})
    return case


# ---------------------------------------------------------------- submit


def _hand_in(
    case: Case,
    *,
    by: User | None,
    at: datetime,
    missing: list[tuple[str, str]],
    checked_as: User | None = None,
    note: str = "",
    data: dict | None = None,
) -> None:
    """Submit: the workflow's check, the acceptance clock started (TownClock.at_submit)."""
    tc = town_clock(case.town, at)
    transition(
        case,
        action="submit",
        by=by,
        at=at,
        checked_as=checked_as,
        changes={
            "submitted_at": at,
            **tc.at_submit(at),
            "missing_elements": [message for _field, message in missing],
        },
        note=note,
        data=data,
    )


@transaction.atomic
def case_submit(*, case: Case, by: User, at=None) -> Case:
    """Hand the case in: every required element is checked, and the acceptance clock starts."""
    at = now_or(at)
    require_action("submit", case, by)
    missing = elements.missing_at_submit(case_values(case))
    if missing:
        raise CaseError.from_pairs(_("不能提交,缺少以下要素:"), missing)
    _hand_in(case, by=by, at=at, missing=[])
    return case


@transaction.atomic
def file_report(
    *,
    town: Town,
    village: Village,
    grid: Grid | None,
    officer: User,
    source: str,
    content: Mapping[str, Any],
    at: datetime,
    note: str = "",
    data: dict | None = None,
) -> Case:
    """File a report the system received (a citizen's, through Open311) as a case submitted at
    grid level, in the officer's name: entered by nobody, checked by the workflow as the
    officer's submit. A report rarely has every element; what it lacks is recorded on the
    case and its timeline instead of refusing it."""
    clean = clean_content(town, content)
    parties = clean.pop("parties", [])
    # What it lacks is stored (the case's missing_elements, the timeline's note) and read by
    # the assessment as written: in Chinese, whatever language the request is in.
    with translation.override(settings.LANGUAGE_CODE):
        missing = elements.missing_at_submit(dict(clean, parties=parties))
    case = _create(
        town=town,
        village=village,
        grid=grid,
        officer=officer,
        source=source,
        clean=clean,
        parties=parties,
        by=None,
        at=at,
        note=note,
        data=data,
    )
    _hand_in(
        case,
        by=None,
        at=at,
        missing=missing,
        checked_as=officer,
        note="缺少要素:" + elements.describe(missing) if missing else "",
        data={"missing": [field for field, _message in missing]},
    )
    return case
