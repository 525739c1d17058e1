"""Padding signals (integrity.md): each names its cases and says what it saw; no database."""

from datetime import UTC, datetime, timedelta

from gridcase.assessment.padding import Entry, signals, volume_limit

T0 = datetime(2026, 10, 10, 9, tzinfo=UTC)


def entry(n, minutes=0, *, officer="王网格", occurred_days=0, photos=()):
    at = T0 + timedelta(minutes=minutes)
    return Entry(f"CT-{n}", officer, "2026-10", at, at - timedelta(days=occurred_days), photos)


def test_a_burst_names_its_cases():
    found = signals([entry(i, minutes=i) for i in range(7)] + [entry(9, minutes=120)])
    assert [(s.kind, s.reason) for s in found] == [("burst", "10 分钟内录入 7 起事件")]
    assert found[0].cases == tuple(f"CT-{i}" for i in range(7))


def test_a_few_cases_in_a_row_are_no_burst():
    assert signals([entry(i, minutes=i) for i in range(5)]) == []


def test_the_same_photo_on_several_cases():
    found = signals([entry(1, photos=("ab",)), entry(2, 300, photos=("ab", "cd"))])
    assert [(s.kind, s.cases, s.reason) for s in found] == [
        ("same_photo", ("CT-1", "CT-2"), "同一张照片用于 2 起事件")
    ]


def test_late_entries_and_volume():
    found = signals([entry(1, occurred_days=45), entry(2, 60)], history=[1] * 30)
    kinds = {s.kind: s for s in found}
    assert kinds["late_entry"].cases == ("CT-1",)
    assert kinds["late_entry"].reason == "1 起事件在发生 30 天以上后才录入 (最长 45 天)"
    assert kinds["volume"].reason == "本月录入 2 起, 高于本镇 99% 的人月 (1 起)"


def test_volume_needs_history():
    assert volume_limit([5] * 19) is None
    assert volume_limit(list(range(1, 101))) == 99


def test_two_officers_with_one_name_are_two_months():
    # Names repeat in a town: four cases each in a few minutes are no burst of eight.
    mine = [
        Entry(f"CT-{i}", "王网格", "2026-10", T0 + timedelta(minutes=i), officer_id=1)
        for i in range(4)
    ]
    theirs = [
        Entry(f"CT-{i}", "王网格", "2026-10", T0 + timedelta(minutes=i), officer_id=2)
        for i in range(4, 8)
    ]
    assert signals(mine + theirs) == []
    burst = signals(mine + [Entry("CT-9", "王网格", "2026-10", T0, officer_id=1)] * 2)
    assert [(s.kind, s.officer_id) for s in burst] == [("burst", 1)]
