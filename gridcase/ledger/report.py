"""What an import says back: the problems by line, the counts, and the summary a person reads."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"第 {self.line} 行: {self.reason}"


@dataclass(frozen=True)
class KeptJudgement:
    """A re-imported row whose case the governance office has judged: the office's judgement
    stays (assessment.md, "Which cases count", 4), whatever the ledger or the automatic check
    of its elements says — its quality, and whether the case is major."""

    line: int
    case_no: str
    office: str  # the office's judgement: "conforming" | "nonconforming" | "major" | "ordinary"
    ledger: str  # what the row alone would have made it

    def __str__(self) -> str:
        office, ledger = JUDGEMENT_WORDS[self.office], JUDGEMENT_WORDS[self.ledger]
        source = "台账" if self.office in ("major", "ordinary") else "台账或要素检查"
        return (
            f"第 {self.line} 行: {self.case_no} 保留综治办评定{office}"
            f"({source}为{ledger},不覆盖综治办的评定)"
        )


@dataclass(frozen=True)
class KeptVoid:
    """A re-imported row not marked 作废 whose case was voided in the system (by the office,
    the town center or its officer): the void stays, the ledger does not bring it back."""

    line: int
    case_no: str
    reason: str  # the void's reason, as recorded

    def __str__(self) -> str:
        return f"第 {self.line} 行: {self.case_no} 保留系统中的作废(作废原因: {self.reason})"


JUDGEMENT_WORDS = {
    "conforming": "合格",
    "nonconforming": "不合格",
    "major": "重大",
    "ordinary": "非重大",
}
KEPT_SHOWN = 20


@dataclass
class ImportReport:
    file: str
    town: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    nonconforming: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    # Imported but nonconforming: the line and why (the first NONCONFORMING_SHOWN are kept).
    nonconforming_rows: list[RowProblem] = field(default_factory=list)
    # Re-imported rows whose case keeps the governance office's judgement (every one).
    kept_judgements: list[KeptJudgement] = field(default_factory=list)
    # Re-imported rows whose case stays voided as the system voided it (every one).
    kept_voids: list[KeptVoid] = field(default_factory=list)
    new_town: bool = False
    new_villages: list[str] = field(default_factory=list)
    new_officers: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The summary a person reads, in Chinese."""
        if self.problems:
            return [
                f"台账“{self.file}”有 {len(self.problems)} 行无法导入,未导入任何事件:",
                *(str(p) for p in self.problems),
                "请在台账中改正以上各行后重新导入。",
            ]
        verb = "将" if self.dry_run else ""
        out = []
        if self.dry_run:
            out.append("试运行(--dry-run):只检查,未写入任何数据。")
        if self.new_town:
            out.append(f"{verb}新建镇: {self.town}(默认考核策略,时区 Asia/Shanghai)")
        if self.new_villages:
            out.append(f"{verb}新建行政村: {'、'.join(self.new_villages)}")
        if self.new_officers:
            out.append(f"{verb}新建网格专管员(无登录密码): {'、'.join(self.new_officers)}")
        if self.ignored_columns:
            out.append(f"未识别、已忽略的列: {'、'.join(self.ignored_columns)}")
        if not self.rows:
            out.append(f"台账“{self.file}”中没有事件行。")
            return out
        action = "检查" if self.dry_run else "导入"
        out.append(
            f"{action}台账“{self.file}”到{self.town}: 共 {self.rows} 行,"
            f"{verb}新增 {self.created} 条, {verb}更新 {self.updated} 条, 未变 {self.unchanged} 条,"
            f" 不合格 {self.nonconforming} 条。"
        )
        if self.nonconforming:
            out.append(
                f"不合格的事件缺少必备要素或被评为不合格,{verb}照常导入并标注原因,"
                "考核时按不合格处理:"
            )
            out += [f"  {p}" for p in self.nonconforming_rows]
            if self.nonconforming > len(self.nonconforming_rows):
                out.append(f"  …… 另有 {self.nonconforming - len(self.nonconforming_rows)} 条")
        if self.kept_judgements:
            kept = self.kept_judgements
            out.append(
                f"综治办已评定的事件 {len(kept)} 条,{verb}保留综治办评定,"
                "不按台账的质量评定或要素检查改变:"
            )
            out += [f"  {k}" for k in kept[:KEPT_SHOWN]]
            if len(kept) > KEPT_SHOWN:
                out.append(f"  …… 另有 {len(kept) - KEPT_SHOWN} 条")
        if self.kept_voids:
            voids = self.kept_voids
            out.append(f"已在系统中作废的事件 {len(voids)} 条,台账未标记作废,{verb}保留作废:")
            out += [f"  {k}" for k in voids[:KEPT_SHOWN]]
            if len(voids) > KEPT_SHOWN:
                out.append(f"  …… 另有 {len(voids) - KEPT_SHOWN} 条")
        return out
