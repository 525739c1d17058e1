"""Cases, their parties, attachments, timeline, follow-ups and extension requests.

Only `services.py` writes these rows. The timeline is append-only: it is the audit trail.
The deadline and outcome fields on `Case` are derived from the timeline by the services and
kept on the row so that queues and the assessment read them in set-based queries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcase.core import limits
from gridcase.core.chain import ChainSpec
from gridcase.core.indexes import CoveringIndex
from gridcase.core.models import ChainedRow
from gridcase.org.models import Grid, Town, Unit, Village

from . import workflow
from .cells import CellOf


class Category(models.TextChoices):
    DISPUTE = "dispute", _("矛盾纠纷")
    SECURITY_HAZARD = "security_hazard", _("治安安全隐患")
    LIVELIHOOD_SERVICE = "livelihood_service", _("民生服务")
    ENVIRONMENT_CAMPAIGN = "environment_campaign", _("优化环境“八大行动”")
    OTHER = "other", _("其他")


MAJOR_CATEGORIES = (Category.DISPUTE, Category.SECURITY_HAZARD)


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("待受理")
    HANDLING = "handling", _("办理中")
    REPORTED = "reported", _("部门已反馈")
    CLOSED = "closed", _("已结案")
    VOIDED = "voided", _("已作废")


# The states of a case that is still being worked on: the workflow table says which.
OPEN_STATES = tuple(State(value) for value in State.values if value in workflow.OPEN)


class Level(models.TextChoices):
    GRID = "grid", _("网格")
    VILLAGE = "village", _("村社会服务管理站")
    TOWN = "town", _("镇社会服务管理中心")
    DEPARTMENT = "department", _("部门")


LOCAL_LEVELS = (Level.GRID, Level.VILLAGE)


class Quality(models.TextChoices):
    UNREVIEWED = "", _("未评定")
    CONFORMING = "conforming", _("合格")
    NONCONFORMING = "nonconforming", _("不合格")


class MediationResult(models.TextChoices):
    NONE = "", _("未填写")
    AGREED = "agreed", _("达成协议")
    NOT_AGREED = "not_agreed", _("未达成协议")


class AgreementForm(models.TextChoices):
    NONE = "", _("未填写")
    WRITTEN = "written", _("书面")
    ORAL = "oral", _("口头")


class LocalOutcome(models.TextChoices):
    NONE = "", _("无")
    CLOSED = "closed", _("本级结案")
    ESCALATED = "escalated", _("上报上级")


class Source(models.TextChoices):
    ENTERED = "entered", _("录入")
    IMPORTED = "imported", _("导入")
    OPEN311 = "open311", _("群众上报")


# "Awaiting a follow-up visit" (待回访), in one place: closed with a follow-up date and no visit
# recorded yet. The queue's follow-up tab, its count and the reminders read it, and the two
# partial indexes below are made on it, so that each is a range of the cases still waiting
# (not every closed case with a date, nor an anti-join with the follow-ups table).
AWAITING_FOLLOW_UP = models.Q(
    state="closed", follow_up_due__isnull=False, followed_up_at__isnull=True
)


class Case(models.Model):
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="cases")
    number = models.CharField(_("事件编号"), max_length=limits.CASE_NUMBER)
    category = models.CharField(_("事件类别"), max_length=30, choices=Category.choices)
    major = models.BooleanField(_("重大"), default=False)
    title = models.CharField(_("标题"), max_length=limits.TITLE, blank=True)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    location = models.CharField(_("发生地点"), max_length=limits.LOCATION, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # The grid cell of the point (cells.py), computed by the database on every write whoever
    # writes (ORM, the ledger's COPY, raw SQL): the spatial key of the place-and-time index.
    cell = models.GeneratedField(
        expression=CellOf("latitude", "longitude"),
        output_field=models.BigIntegerField(null=True),
        db_persist=True,
        null=True,
    )
    # The location fix as the device reported it, for the padding signal ``location_fix``
    # (integrity.md): an accuracy of exactly 0 or a mock provider is what a faked fix looks
    # like. Unknown (null, False) for typed coordinates and for sources that do not say.
    location_accuracy = models.DecimalField(
        _("定位精度(米)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    location_mock = models.BooleanField(_("模拟定位"), default=False)
    persons = models.TextField(_("人物"), blank=True)
    cause = models.TextField(_("起因"), blank=True)
    course = models.TextField(_("经过"), blank=True)
    result = models.TextField(_("处理结果"), blank=True)
    mediator = models.CharField(_("调解人"), max_length=limits.MEDIATOR, blank=True)
    mediation_result = models.CharField(
        _("调解结果"), max_length=20, choices=MediationResult.choices, blank=True
    )
    agreement_form = models.CharField(
        _("协议方式"), max_length=10, choices=AgreementForm.choices, blank=True
    )
    agreement_terms = models.JSONField(_("协议内容"), default=list, blank=True)

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="cases", verbose_name=_("行政村")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("网格")
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="entered_cases",
        verbose_name=_("网格专管员"),
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=Source.choices, default=Source.ENTERED
    )

    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    level = models.CharField(
        _("当前层级"), max_length=12, choices=Level.choices, default=Level.GRID
    )
    department = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatched_cases",
        verbose_name=_("承办部门"),
    )

    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # The current level's clock: by when it must accept, then by when it must act.
    accept_due = models.DateField(_("受理期限"), null=True, blank=True)
    handle_due = models.DateField(_("办结期限"), null=True, blank=True)
    level_accepted_at = models.DateTimeField(_("本级受理时间"), null=True, blank=True)
    # The facts the assessment reads: the first acceptance and the local (grid + village) period.
    first_accept_due = models.DateField(_("首次受理期限"), null=True, blank=True)
    first_accepted_at = models.DateTimeField(_("首次受理时间"), null=True, blank=True)
    local_due = models.DateField(_("本级办结或上报期限"), null=True, blank=True)
    local_outcome = models.CharField(
        _("本级结果"), max_length=10, choices=LocalOutcome.choices, blank=True
    )
    local_outcome_at = models.DateTimeField(_("本级结果时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("上报镇中心时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    closed_level = models.CharField(_("结案层级"), max_length=12, choices=Level.choices, blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=limits.VOID_REASON, blank=True)
    follow_up_due = models.DateField(_("回访期限"), null=True, blank=True)
    # When the first follow-up visit was recorded (services.case_follow_up, in the same
    # transaction as the FollowUp row); null while none is. Kept on the case so that the
    # follow-ups awaiting a visit are a range of a partial index (AWAITING_FOLLOW_UP).
    followed_up_at = models.DateTimeField(_("回访登记时间"), null=True, blank=True)

    quality = models.CharField(_("质量评定"), max_length=15, choices=Quality.choices, blank=True)
    quality_note = models.CharField(_("不合格原因"), max_length=limits.QUALITY_NOTE, blank=True)
    # Required elements missing when the case was handed in (imported ledgers may lack them).
    missing_elements = models.JSONField(_("缺少要素"), default=list, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # The field terminal's id for the case, made on the device (issue 12): a re-sent create
    # with the same id is the same case, forever (client_ids.py); the digest is of the create's
    # validated input, to tell a re-send (same content) from a clash (other content).
    client_id = models.UUIDField(_("终端编号"), null=True, blank=True, unique=True, editable=False)
    client_digest = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["town", "number"], name="case_number_unique_in_town"),
            models.CheckConstraint(
                condition=models.Q(major=False)
                | models.Q(category__in=["dispute", "security_hazard"]),
                name="case_major_only_dispute_or_hazard",
            ),
        ]
        indexes = [
            # The town-wide queues' counts (the open cases by state, level and deadline): the
            # deadlines included, so that PostgreSQL counts a town's open cases from the index.
            # The category is a key column: with a category filter SQLite (no statistics)
            # otherwise took (town, category, …) below and read every case of the category
            # in the town for the counts (0.76 s at a million). The officer is included for
            # the scope's "not a draft, or my own": the queue tabs' page of ids
            # (web/keyset.py) is then read from the index alone too.
            # (SQLite has no INCLUDE: CoveringIndex makes those columns key columns there.)
            CoveringIndex(
                fields=["town", "state", "level", "category"],
                include=["accept_due", "handle_due", "id", "officer"],
                name="case_town_queue_cat",
            ),
            models.Index(fields=["town", "submitted_at"]),
            models.Index(fields=["officer", "submitted_at"]),
            # The lists of one village (an officer's, a station's; issue 15): each index starts
            # with the scope's column, then what the list filters or sorts by, so that a list
            # reads its village's rows, never the town's. The queue tabs and their counts
            # (state, level; the rest is included: with it PostgreSQL answers a count from
            # the index alone):
            # The town comes first although a village names it: every village scope also says
            # `town_id = ?` (web/selectors.py), and SQLite, which keeps no statistics, counts
            # equal columns — it took the duplicate check's (town, village, category, time)
            # for a village's open cases over (village, state IN (…), level), reading the
            # whole village (150 ms at a million cases; 6.5 ms here).
            models.Index(
                fields=["town", "village", "state", "level"],
                include=["grid", "officer", "accept_due", "handle_due", "category", "id"],
                name="case_village_queue",
            ),
            # "All cases" and the export, newest or oldest first, walked in order:
            models.Index(fields=["village", "submitted_at"], name="case_village_time"),
            models.Index(fields=["department", "state"]),
            models.Index(fields=["department", "submitted_at"], name="case_department_time"),
            # The follow-ups awaiting a visit, by due date: only the cases still waiting
            # (AWAITING_FOLLOW_UP: a few percent of the closed ones), never every closed case.
            # A village's count and tab read its range, a town's count reads the town's range
            # and its tab walks it in order until a page is full.
            # (The town first: SQLite, without statistics, otherwise took the town's index
            # below for a village's count, town and range being as good as village and range.
            # What the count tests — the area's grid and officer, the scope's "not a draft, or
            # my own", the condition's followed_up_at — are key columns, not INCLUDE: SQLite
            # ignores INCLUDE and does not take a partial index's condition columns from the
            # index, so without them it read each waiting case's row, 12 ms a town's count
            # cold at 200,000 cases; with them the count is a COVERING INDEX read.)
            # The state and followed_up_at (one value each in these indexes: the condition's)
            # come before the due date: SQLite, without statistics, weighs an index by the
            # columns a query's equalities fill, and a count that cannot be read from an index
            # alone (a search tested on each row, cases.search.COMMON) took the queue indexes'
            # (town, [village,] state) — every closed case, 1.3–2.8 s a town at a million —
            # over (town, [village,] due date >). The due date's order is still walked, the
            # columns before it being fixed. (cases 0028)
            models.Index(
                fields=[
                    "town",
                    "village",
                    "state",
                    "followed_up_at",
                    "follow_up_due",
                    "grid",
                    "officer",
                    # A column, not included: SQLite ignores INCLUDE, and without the category
                    # the count under a category filter took the village's queue index (all
                    # its closed cases, 143 ms at a million) over this one.
                    "category",
                ],
                include=["id"],
                condition=AWAITING_FOLLOW_UP,
                name="case_awaiting_follow_up_vil",
            ),
            CoveringIndex(
                fields=["town", "state", "followed_up_at", "follow_up_due", "officer"],
                include=["category", "id"],
                condition=AWAITING_FOLLOW_UP,
                name="case_awaiting_follow_up_town",
            ),
            # integrity.md: the duplicate check on entry reads its candidates from this index,
            # one short range per cell its box touches (cell, then the time window), never a
            # latitude band of the whole town.
            models.Index(
                fields=["town", "category", "cell", "submitted_at"], name="case_cell_time"
            ),
            # The cases near a point, whatever their category (selectors.cases_near: the map's
            # and the case page's "nearby"), read the same way: one range per cell.
            models.Index(fields=["town", "cell", "submitted_at"], name="case_near_time"),
            # The duplicate check's other half (integrity.md: the same village when either
            # case has no point): the village's cases of one category in the window, one
            # range read newest first up to the candidates' limit, where (village,
            # submitted_at) read every category of the village in the window. The town first:
            # SQLite, without statistics, otherwise took (town, submitted_at) and read the
            # town's window.
            models.Index(
                fields=["town", "village", "category", "submitted_at"],
                name="case_village_cat_time",
            ),
            # The town's newest change of a case, one index read: part of the exact key of
            # its kept assessment (web/dashboard_cache.py, assessment_stamp).
            models.Index(fields=["town", "updated_at"], name="case_town_updated"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def render_mediation(self) -> str:
        """The customary closing record: 由×××进行调解,双方当事人达成书面协议:1……;2……"""
        if self.category != Category.DISPUTE or not self.mediator:
            return ""
        # The record is a document in Chinese, whatever language the reader's page is in.
        form = {"written": "书面", "oral": "口头"}.get(self.agreement_form, "")
        if self.mediation_result == MediationResult.NOT_AGREED:
            return f"由{self.mediator}进行调解,双方当事人未达成协议。"
        terms = ";".join(f"{i}.{t}" for i, t in enumerate(self.agreement_terms or [], start=1))
        return f"由{self.mediator}进行调解,双方当事人达成{form}协议:{terms}。"


class Party(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(_("当事人姓名"), max_length=limits.PARTY_NAME)
    phone = models.CharField(_("联系电话"), max_length=limits.PARTY_PHONE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["case", "position", "id"]

    def __str__(self) -> str:
        return self.name


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"cases/{instance.case.town_id}/{instance.case_id}/{filename}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # The SHA-256 of the bytes (hex): a photo re-sent to the same case is the same attachment
    # (attachments.case_attach_once). Empty only for a file the backfill could not read, or
    # a copy of identical bytes attached to the same case before the hash was kept.
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["case", "uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "sha256"],
                condition=~models.Q(sha256=""),
                name="attachment_once_per_case",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class TimelineEntry(ChainedRow):
    """One action on a case. Append-only (the database refuses UPDATE and DELETE) and
    hash-chained, one chain per town: rows are inserted through `gridcase.core.chain`."""

    # PROTECT: a case with a history is never deleted (cases are voided, not removed).
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="timeline")
    # The case's town, so that each town's chain is locked and verified on its own.
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=30)
    from_state = models.CharField(_("原状态"), max_length=10, blank=True)
    to_state = models.CharField(_("新状态"), max_length=10, blank=True)
    from_level = models.CharField(_("原层级"), max_length=12, blank=True)
    to_level = models.CharField(_("新层级"), max_length=12, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    chain = ChainSpec(
        name="timeline",
        key_field="town_id",
        fields=(
            "town_id",
            "case_id",
            "at",
            "actor_id",
            "action",
            "from_state",
            "to_state",
            "from_level",
            "to_level",
            "note",
            "data",
        ),
    )

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["case", "at", "id"]
        indexes = [
            models.Index(fields=["case", "at"]),
            # The returns alone (a few per thousand rows): "returned to me, not yet acted on"
            # (web.selectors.RETURNED) reads them from here, not from every month's rows.
            models.Index(
                fields=["case", "to_level", "at"],
                condition=models.Q(action="return"),
                name="timeline_returns",
            ),
            # The governance office's reviews alone, by town: the assessment reads the latest
            # of each of a period's cases (assessment.facts.period_reviews) in one range of
            # each month's partition, not by a lookup per case in every month's index.
            models.Index(
                fields=["town", "case", "at", "id"],
                condition=models.Q(action="review"),
                name="timeline_town_reviews",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["town", "seq"], name="timeline_chain_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class FollowUp(models.Model):
    class Method(models.TextChoices):
        PHONE = "phone", _("电话回访")
        VISIT = "visit", _("上门回访")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    visited_on = models.DateField(_("回访日期"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("回访人")
    )
    method = models.CharField(_("回访方式"), max_length=10, choices=Method.choices)
    satisfied = models.BooleanField(_("当事人是否满意"), null=True)
    note = models.TextField(_("回访情况"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["case", "visited_on"]

    def __str__(self) -> str:
        return f"{self.case} {self.visited_on}"


class ExtensionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")
        # The case left the level it was asked at (escalated, returned, closed…) before anyone
        # decided: nobody can decide it any more, and it must not block the next level's request.
        LAPSED = "lapsed", _("已失效")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    level = models.CharField(_("申请层级"), max_length=12, choices=Level.choices)
    working_days = models.PositiveSmallIntegerField(_("延期工作日数"))
    reason = models.TextField(_("申请理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["case", "requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="one_pending_extension_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} +{self.working_days}"


class CaseCounter(models.Model):
    """The next case number of a town and year, taken under a row lock."""

    town = models.ForeignKey(Town, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["town", "year"], name="case_counter_unique")]

    def __str__(self) -> str:
        return f"{self.town_id}/{self.year}: {self.last}"
