"""Open311 GeoReport v2: the mapping between the standard and gridcase, and the intake service.

Decisions (an integrator's reference; the same words are in the API docs):

- A *jurisdiction* is a town (`jurisdiction_id` = the town's code); when the installation has
  one town, it may be left out.
- A *service* is a case category (`service_code` = `dispute`, `security_hazard`, …).
- A *service request* is a submitted case (`service_request_id` = its number). Drafts are
  never shown. Status: pending / handling / reported → `open`; closed / voided → `closed`.
- Reading is open to anyone for the reports filed through Open311 (status, service, dates:
  what a citizen needs to follow their report), without their text or place, which may
  name people. With an `api_key` (a system token of the town) reading shows every submitted
  case of the town with its description, address and position — never the parties.
- Filing (POST) needs an `api_key` that is a *write* system token of the town. The report
  enters the case system as a citizen report (`source = open311`), submitted at grid level
  in a village and grid (`place_report`): the village given as `attribute[village]` (id or
  name: a person's explicit choice wins), else the village and grid its `lat`/`long` lie
  in (point-in-polygon on the town's boundaries, cases/placing.py), else the village whose
  name appears in `address_string` (no point, no boundaries, or a point outside them).
  Without a village the request is refused with a 400 that says so. `lat`/`long` are
  WGS-84, as GeoReport v2 says; a client may state GCJ-02 or BD-09 instead in the `crs`
  extension, and they are converted before anything is stored. The case's officer is the
  grid's serving officer, else the village's first (by role creation order); it is pending
  their acceptance, with the usual acceptance deadline.
- A report rarely has every element a case needs (时间、地点、人物、起因、经过). It is filed
  as given: the time defaults to the time of filing, the place to the address or the
  village, the people to `attribute[persons]` or the reporter's name, the cause to
  `attribute[cause]`, the course to `description`; whatever is still missing is recorded in
  the case's `missing_elements` (and on its timeline) rather than refusing the citizen.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from typing import Any

from rest_framework import renderers

from gridcase.cases import filing, placing
from gridcase.cases.deadlines import due_of
from gridcase.cases.errors import CaseError
from gridcase.cases.models import OPEN_STATES, Case, Category, Level, Source, State
from gridcase.cases.workflow import FINISHED, LEVEL_LABELS, STATE_LABELS
from gridcase.core import clock, coords, text
from gridcase.org.models import Grid, Role, Town, Village
from gridcase.org.selectors import in_force_q

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-10-01T00:00:00+08:00"
# The GeoReport spec's default and maximum window for a list of requests.
DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000

SERVICE_DESCRIPTIONS = {
    Category.DISPUTE: "邻里、家庭、土地、劳资等矛盾纠纷",
    Category.SECURITY_HAZARD: "治安、消防、交通等社会治安安全隐患",
    Category.LIVELIHOOD_SERVICE: "群众生产生活中需要帮助办理的事项",
    Category.ENVIRONMENT_CAMPAIGN: "优化环境“八大行动”相关问题(垃圾、违建、河道等)",
    Category.OTHER: "其他需要反映的问题",
}
SERVICE_KEYWORDS = {
    Category.DISPUTE: "纠纷, 调解, 邻里",
    Category.SECURITY_HAZARD: "治安, 隐患, 消防, 交通",
    Category.LIVELIHOOD_SERVICE: "民生, 求助, 办事",
    Category.ENVIRONMENT_CAMPAIGN: "环境, 垃圾, 违建, 河道",
    Category.OTHER: "其他",
}
GROUP = "网格化管理"

# XML: the element of each item of a list, by the list's element (GeoReport v2).
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


# ---------------------------------------------------------------- formats


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    # Stored text may predate the character rule (gridcase.core.text): one control character
    # must not make the whole document ill-formed.
    return text.strip_invalid(str(value))


def _xml_fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _xml_fill(ET.SubElement(element, key), child)
    elif isinstance(value, list | tuple):
        item_tag = XML_ITEMS.get(element.tag, "item")
        for child in value:
            _xml_fill(ET.SubElement(element, item_tag), child)
    else:
        element.text = _xml_text(value)


def to_xml(root: str, value: Any) -> bytes:
    element = ET.Element(root)
    _xml_fill(element, value)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


class XMLRenderer(renderers.BaseRenderer):
    """GeoReport v2's XML: the view names the root element; errors are <errors>."""

    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        if response is not None and response.status_code >= 400:
            return to_xml("errors", data)
        root = getattr(context.get("view"), "xml_root", "response")
        return to_xml(root, data)


class JSONRenderer(renderers.JSONRenderer):
    format = "json"


class SuffixNegotiation:
    """The format is the URL's suffix (.json / .xml), whatever the Accept header says."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if request.content_type.split(";")[0].strip() == parser.media_type:
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        for renderer in renderers:
            if renderer.format == (format_suffix or "json"):
                return renderer, renderer.media_type
        return renderers[0], renderers[0].media_type


def errors(status: int, description: str) -> list[dict]:
    return [{"code": status, "description": description}]


# ---------------------------------------------------------------- reading


def status_of(case: Case) -> str:
    return "open" if case.state in OPEN_STATES else "closed"


def _agency(case: Case) -> str:
    if case.level == Level.DEPARTMENT and case.department_id:
        return case.department.name
    if case.level in (Level.GRID, Level.VILLAGE):
        return f"{case.village.name}{LEVEL_LABELS[case.level]}"
    return LEVEL_LABELS.get(case.level, "")


def _expected(case: Case) -> datetime | None:
    due = due_of(case.state, case.accept_due, case.handle_due)
    if due is None:
        return None
    return clock.end_of_day(due, case.town.timezone)


def _w3c(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(clock.zone("Asia/Shanghai")).isoformat(timespec="seconds")


def request_data(case: Case, *, full: bool) -> dict:
    """One service request as GeoReport v2 describes it; `full` adds text and place."""
    state_label = STATE_LABELS.get(case.state, case.state)
    notes = state_label if case.state in FINISHED else f"{state_label}({_agency(case)})"
    data = {
        "service_request_id": case.number,
        "status": status_of(case),
        "status_notes": notes,
        "service_name": case.get_category_display(),
        "service_code": case.category,
        "description": None,
        "agency_responsible": _agency(case),
        "service_notice": None,
        "requested_datetime": _w3c(case.submitted_at),
        "updated_datetime": _w3c(case.updated_at),
        "expected_datetime": _w3c(_expected(case)),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }
    if full:
        data.update(
            description=case.course or case.title,
            address=case.location,
            lat=float(case.latitude) if case.latitude is not None else None,
            long=float(case.longitude) if case.longitude is not None else None,
        )
    return data


def requests_queryset(town: Town, *, full: bool):
    qs = Case.objects.filter(town=town).exclude(state=State.DRAFT)
    if not full:
        qs = qs.filter(source=Source.OPEN311)
    return qs.select_related("town", "village", "department")


def filter_requests(qs, query: dict, tz: str):
    """GeoReport v2's filters; a list of ids overrides the others (as the standard says)."""
    if query.get("service_request_id"):
        return qs.filter(number__in=query["service_request_id"])
    if query.get("service_code"):
        qs = qs.filter(category__in=query["service_code"])
    statuses = set(query.get("status") or [])
    if statuses == {"open"}:
        qs = qs.filter(state__in=OPEN_STATES)
    elif statuses == {"closed"}:
        qs = qs.filter(state__in=FINISHED)
    end = query.get("end_date") or clock.now()
    start = query.get("start_date") or end - DEFAULT_WINDOW
    return qs.filter(submitted_at__gte=start, submitted_at__lte=end)


# ---------------------------------------------------------------- filing


def service_definition(town: Town, code: str) -> dict:
    villages = [{"key": str(v.pk), "name": v.name} for v in town.villages.order_by("name")]
    attributes = [
        {
            "variable": True,
            "code": "village",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "行政村的 id 或名称",
            "order": 1,
            "description": "事件所在的行政村(优先)。未填时按 lat/long(WGS-84)所在的行政村和网格"
            "确定,没有坐标或坐标不在本镇边界内时按 address_string 中出现的村名确定;"
            "都无法确定时不能受理。",
            "values": villages,
        },
        {
            "variable": True,
            "code": "occurred_at",
            "datatype": "datetime",
            "required": False,
            "datatype_description": "ISO 8601,如 2026-10-14T09:30:00+08:00",
            "order": 2,
            "description": "事情发生的时间;不填则为上报时间",
            "values": [],
        },
        {
            "variable": True,
            "code": "persons",
            "datatype": "string",
            "required": False,
            "datatype_description": "最多 500 字",
            "order": 3,
            "description": "涉及的人员;不填则为上报人姓名",
            "values": [],
        },
        {
            "variable": True,
            "code": "cause",
            "datatype": "text",
            "required": False,
            "datatype_description": "最多 2000 字",
            "order": 4,
            "description": "事情的起因",
            "values": [],
        },
    ]
    return {"service_code": code, "attributes": attributes}


def find_village(town: Town, choice: str | None, address: str) -> Village | None:
    villages = list(town.villages.all())
    if choice:
        choice = choice.strip()
        for village in villages:
            if choice == str(village.pk) or choice == village.name:
                return village
        return None
    # The longest name found in the address, so that 东村 does not win over 东村新村.
    found = sorted(
        (v for v in villages if v.name and v.name in address), key=lambda v: -len(v.name)
    )
    if len(found) > 1 and len(found[0].name) == len(found[1].name):
        return None
    return found[0] if found else None


def report_point(data: dict[str, Any]) -> tuple[float, float] | None:
    """The report's (lat, long) in WGS-84 (converted from the `crs` extension), or None."""
    if data.get("lat") is None or data.get("long") is None:
        return None
    system = data.get("crs") or coords.System.WGS84
    return coords.to_wgs84(float(data["lat"]), float(data["long"]), system)


def place_report(
    town: Town, choice: str | None, address: str, point: tuple[float, float] | None
) -> tuple[Village, Grid | None] | None:
    """Where a report goes (the module's notes): the chosen village, else the point's village
    and grid, else the village named in the address; None when none of them says."""
    where = placing.spot(town, *point) if point is not None else None
    if choice:
        village = find_village(town, choice, address)
        if village is None:
            return None
        grid = where.grid if where is not None and where.village == village else None
        return village, grid
    if where is not None and where.village is not None:
        return where.village, where.grid
    village = find_village(town, None, address)
    return (village, None) if village is not None else None


def serving_officer(village: Village, day: date, grid: Grid | None = None) -> Role | None:
    """The officer who takes the report: the grid's, else the village's first."""
    roles = (
        Role.objects.filter(village=village, kind=Role.Kind.OFFICER, user__is_active=True)
        .filter(in_force_q(day))
        .select_related("user", "grid")
        .order_by("id")
    )
    if grid is not None:
        own = roles.filter(grid=grid).first()
        if own is not None:
            return own
    return roles.first()


def open311_submit(
    *,
    town: Town,
    token_name: str,
    category: str,
    village: Village,
    report: dict[str, Any],
    grid: Grid | None = None,
    at: datetime | None = None,
) -> Case:
    """File a citizen's report as a case submitted at grid level (see the module's notes),
    through the one filing service (cases.filing.file_report). The report's point is WGS-84
    (`report_point`)."""
    at = at or clock.now()
    role = serving_officer(village, clock.local_date(at, town.timezone), grid)
    if role is None:
        raise CaseError(
            f"{village.name}暂无在岗的网格专管员,无法受理上报,请联系镇社会服务管理中心",
            {"attribute[village]": ["该行政村暂无在岗的网格专管员"]},
        )
    grid = grid or role.grid
    if grid is None:
        grids = list(Grid.objects.filter(village=village)[:2])
        grid = grids[0] if len(grids) == 1 else None
    reporter = f"{report.get('last_name', '')}{report.get('first_name', '')}".strip()
    description = report.get("description", "").strip()
    content = {
        "category": category,
        "title": description[:50],
        "occurred_at": report.get("occurred_at") or at,
        "location": (report.get("address_string") or village.name)[:300],
        "latitude": report.get("lat"),
        "longitude": report.get("long"),
        "persons": report.get("persons") or reporter,
        "cause": report.get("cause", ""),
        "course": description,
        "parties": [],
    }
    phone = report.get("phone", "")
    if phone:
        # The reporter's number is a party's: shown whole only to the people handling the
        # case, masked for everyone else (never copied into the timeline, which all readers see).
        content["parties"] = [{"name": reporter or "上报群众", "phone": phone}]
    contact = {k: report[k] for k in ("email", "device_id", "account_id") if report.get(k)}
    return filing.file_report(
        town=town,
        village=village,
        grid=grid,
        officer=role.user,
        source=Source.OPEN311,
        content=content,
        at=at,
        note="群众通过 Open311 上报",
        data={
            "source": "open311",
            "api_key": token_name,
            "reporter": reporter,
            "contact": contact,
            "media_url": report.get("media_url", ""),
        },
    )
