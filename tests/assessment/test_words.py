"""The pay rules' reasons as message ids and arguments (words.py): their Chinese is exactly the
stored and exported reason, a page reads them in the reader's language, and a snapshot keeps
them (an older snapshot, with the Chinese only, still reads and shows it as stored)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given

from gridcase.assessment import duplicates
from gridcase.assessment.duplicates import Party, Rules, Sketch
from gridcase.assessment.explain import explain_words, with_explanation
from gridcase.assessment.facts import AppealNote
from gridcase.assessment.results import OfficerResult, PeriodResult, PolicyRef
from gridcase.assessment.rules import assess_month
from gridcase.assessment.words import LIST, Joined, Text, load, load_words
from tests.assessment.test_rules import AFTER_OCTOBER, CHANGTANG, LATE, OCTOBER, case, cases
from tests.assessment.test_rules_properties import months, policies, todays

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def english(value) -> str:
    with translation.override("en"):
        return str(value)


def test_a_text_is_its_chinese_and_reads_in_the_active_language():
    late = Text.of("四.3: 未在 %(due)s 前结案或上报", due="2026-10-19")
    assert late.zh == "四.3: 未在 2026-10-19 前结案或上报"
    assert english(late) == "Rule 4.3: not closed or escalated by 2026-10-19"
    with translation.override("zh-hans"):
        assert str(late) == late.zh
    names = Joined((Text("发生地点"), Text("当事人")), LIST)
    assert names.zh == "发生地点、当事人"
    assert english(names) == "Where, Parties"
    # A word the catalogue does not know (a name someone typed) is shown as it is.
    assert english(Text("某某村")) == "某某村"
    assert Text("").zh == "" and english(Text("")) == ""


def test_dump_and_load_give_the_same_words_back():
    words = Joined(
        (
            Text.of("四.1: 质量不符合要求: %(why)s (每起扣 %(amount)s 元)", why="x", amount="10"),
            Text.of("缺少%(missing)s (自动检查)", missing=Joined((Text("人物"),), LIST)),
        )
    )
    assert load(words.dump()) == words and load_words(words.dump()).zh == words.zh
    with pytest.raises(ValueError):
        load_words("四.1: 计入基本任务量")  # the Chinese alone is not a stored sentence
    with pytest.raises(ValueError):
        load({"what": "else"})


@given(policies(), months(max_size=16), todays)
def test_every_reason_and_explanation_is_its_words_chinese(policy, facts, today):
    month = with_explanation(assess_month(facts, policy, today=today, month=OCTOBER), policy)
    for c in month.cases:
        assert c.words is not None and c.words.zh == c.reason
    assert tuple(w.zh for w in month.explained) == month.explanation


def test_each_kind_of_reason_reads_in_english():
    facts = [
        *cases(0, 9),
        case(9, **LATE),
        case(10, quality="nonconforming", quality_note="记录不全"),
        case(11, category="other"),
        case(12, major=True),
        case(13, voided=True),
        case(14, duplicate_of="CT-2026-00001"),
        case(15, missing=("发生地点", "当事人")),
    ]
    month = with_explanation(
        assess_month(facts, CHANGTANG, today=AFTER_OCTOBER, month=OCTOBER), CHANGTANG
    )
    shown = [english(c.words) for c in month.cases] + [english(w) for w in month.explained]
    # Only what someone typed (the office's note) stays Chinese.
    assert [s for s in shown if CJK.search(s.replace("记录不全", ""))] == []
    by_no = {c.case_no: english(c.words) for c in month.cases}
    assert "Rule 4.3: not closed or escalated by" in by_no[month.cases[9].case_no]
    assert "Rule 4.1: quality not up to the requirements" in " ".join(by_no.values())
    assert "missing: Where, Parties (automatic check)" in " ".join(by_no.values())
    assert "(major case: Dispute, outside the monthly cap of 200 yuan)" in " ".join(shown)
    assert english(month.explained[0]).startswith("Rule 4.1: counted: ")


def test_an_appeals_note_joins_the_reason_in_words():
    note = AppealNote(1, "conforming", None, "补充了材料")
    assert note.words().zh == "申诉已采纳: 按质量合格计 (补充了材料)"
    assert english(note.words()) == "Appeal accepted: Count as conforming (补充了材料)"


# --- a snapshot -----------------------------------------------------------------------------


def _result(month) -> PeriodResult:
    ref = PolicyRef("changtang-2016", "长塘镇网格专管员考核办法")
    officer = OfficerResult(1, "officer01", "王五", "东村", (month,))
    return PeriodResult(
        town_id=1,
        town="长塘镇",
        period=OCTOBER,
        months=(OCTOBER,),
        policy=ref,
        month_policies={OCTOBER: ref},
        provisional=False,
        officers=(officer,),
    )


def test_a_snapshot_keeps_the_words_and_an_older_one_shows_the_chinese():
    live = with_explanation(
        assess_month(
            [*cases(0, 3), case(3, **LATE)], CHANGTANG, today=AFTER_OCTOBER, month=OCTOBER
        ),
        CHANGTANG,
    )
    result = _result(live)
    snapshot = result.to_snapshot()
    assert snapshot["version"] == 2
    # The assess JSON is unchanged: no words in it.
    assert "words" not in str(result.as_dict()) and "explained" not in str(result.as_dict())
    back = PeriodResult.from_snapshot(snapshot, status="finalised").officers[0].months[0]
    assert back.as_dict() == live.as_dict()  # statuses, amounts and the Chinese
    assert [english(c.shown) for c in back.cases] == [english(c.words) for c in live.cases]
    assert [english(w) for w in back.shown_explanation] == [english(w) for w in live.explained]

    # Version 1: the Chinese only, shown as stored.
    old = {**snapshot, "version": 1}
    old["officers"] = [
        {
            **o,
            "months": [
                {
                    **{k: v for k, v in m.items() if k != "explained"},
                    "cases": [{k: v for k, v in c.items() if k != "words"} for c in m["cases"]],
                }
                for m in o["months"]
            ],
        }
        for o in snapshot["officers"]
    ]
    stored = PeriodResult.from_snapshot(old, status="approved").officers[0].months[0]
    assert stored.as_dict() == live.as_dict()
    assert [english(c.shown) for c in stored.cases] == [c.reason for c in live.cases]
    assert list(stored.shown_explanation) == list(live.explanation)


def test_explain_words_refuses_another_policy_as_before():
    month = assess_month(cases(0, 2), CHANGTANG, today=AFTER_OCTOBER, month=OCTOBER)
    with pytest.raises(ValueError):
        explain_words(month, replace(CHANGTANG, per_missing=Decimal(15)))


# --- duplicate suspects ---------------------------------------------------------------------

AT = datetime(2026, 10, 12, 1, tzinfo=UTC)


def _pair(**later):
    earlier = Sketch(
        "CT-1",
        "dispute",
        AT,
        occurred_at=AT,
        latitude=28.0,
        longitude=113.0,
        text="东村三组两户因宅基地边界争执",
        parties=(Party("张三", "13800138001"), Party("李四")),
        photos=("ffff0000ffff0000",),
    )
    values = dict(
        number="CT-2",
        submitted_at=AT + timedelta(days=2),
        occurred_at=AT + timedelta(days=2),
        latitude=28.0003,
        photos=("ffff0000ffff0001",),
    )
    found = duplicates.compare(replace(earlier, **{**values, **later}), earlier, Rules())
    assert found is not None
    return found


def test_a_suspicions_reasons_are_its_words_chinese_and_read_back_from_it():
    for found in (_pair(), _pair(occurred_at=None, submitted_at=AT + timedelta(hours=3))):
        assert tuple(w.zh for w in found.words) == found.reasons
        assert found.as_dict()["reasons"] == list(found.reasons)
        for reason, words in zip(found.reasons, found.words, strict=True):
            assert duplicates.read_reason(reason) == words
        shown = [english(w) for w in found.words]
        assert not any(CJK.search(s.replace("张三", "").replace("李四", "")) for s in shown)
    shown = [english(w) for w in _pair().words]
    assert shown[:2] == ["the two places are 33 m apart", "days between their occurrences: 2"]
    assert "the same parties: 张三, 李四" in shown and "a near-identical photo" in shown
    # A reason the check did not write (someone else's words) is kept as it is.
    assert duplicates.read_reason("两处地点很近") == "两处地点很近"
