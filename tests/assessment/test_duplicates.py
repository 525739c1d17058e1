"""The duplicate score and its reasons (integrity.md), as a table; no database."""

from datetime import UTC, datetime, timedelta

import pytest

from gridcase.assessment.duplicates import (
    Party,
    Rules,
    Sketch,
    bounding_box,
    compare,
    haversine_m,
    photo_distance,
    shared_parties,
    suspect,
    text_similarity,
)

T0 = datetime(2026, 10, 10, 9, 0, tzinfo=UTC)
LAT, LON = 28.2, 112.9
RULES = Rules()
NOISE = "金桂小区3栋楼下夜间烧烤噪音扰民, 居民张三多次投诉, 要求摊主晚上十点后停止营业"
NOISE_AGAIN = "金桂小区三栋楼下烧烤摊夜里吵闹, 张三再次反映, 希望摊主十点以后停止营业"
OTHER = "金桂小区3栋消防通道被电动车堵塞, 存在安全隐患, 已通知物业清理"


def sketch(number, *, text=NOISE, days=0, metres=0.0, parties=(), photos=(), **kw):
    return Sketch(
        number=number,
        category=kw.pop("category", "dispute"),
        submitted_at=T0 + timedelta(days=days, hours=1),
        occurred_at=T0 + timedelta(days=days),
        latitude=LAT + metres / 111_195,
        longitude=LON,
        text=text,
        parties=tuple(parties),
        photos=tuple(photos),
        **kw,
    )


def test_haversine_and_the_box_agree():
    assert haversine_m(LAT, LON, LAT + 40 / 111_195, LON) == pytest.approx(40, abs=0.5)
    lo_lat, hi_lat, lo_lon, hi_lon = bounding_box(LAT, LON, 300)
    assert haversine_m(LAT, LON, hi_lat, LON) == pytest.approx(300, abs=1)
    assert haversine_m(LAT, LON, LAT, hi_lon) == pytest.approx(300, abs=1)
    assert lo_lat < LAT < hi_lat and lo_lon < LON < hi_lon


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        (NOISE, NOISE, 1.0, 1.0),
        (NOISE, NOISE_AGAIN, 0.35, 0.9),
        (NOISE, OTHER, 0.0, 0.3),
        ("", NOISE, 0.0, 0.0),
        ("噪音, 扰民!", "噪音扰民", 1.0, 1.0),  # punctuation and spaces do not count
    ],
)
def test_text_similarity_by_character_bigrams(a, b, low, high):
    assert low <= text_similarity(a, b) <= high


def test_parties_match_by_name_or_by_normalised_phone_and_show_it_masked():
    a = [Party("张三", "138 0013 8001"), Party("王五", "+8613900000002")]
    b = [Party("张叁", "13800138001"), Party("王五", "")]
    assert shared_parties(a, b) == ["138****8001", "王五"]
    assert shared_parties(a, [Party("赵六", "13700000000")]) == []


def test_photo_distance_is_the_fewest_differing_bits():
    assert photo_distance(["ff00ff00ff00ff00"], ["ff00ff00ff00ff01", "0000"]) == 1
    assert photo_distance([], ["ff"]) is None
    assert photo_distance(["zz"], ["ff"]) is None


def test_a_repeat_is_suspected_with_every_reason_in_words_later_case_first():
    earlier = sketch("CT-1", parties=[Party("张三"), Party("李四")])
    later = sketch(
        "CT-2", text=NOISE_AGAIN, days=2, metres=40, parties=[Party("李四"), Party("张三")]
    )
    found = suspect(earlier, later, RULES)
    assert found is not None
    assert (found.case, found.similar_to) == ("CT-2", "CT-1")
    assert found.score >= RULES.threshold
    assert found.reasons[:3] == ("两处地点相距 40 米", "发生时间相隔 2 天", "当事人相同:李四、张三")
    assert found.reasons[3].startswith("描述相似度 0.")


def test_the_same_photo_is_named_and_lifts_the_score():
    plain = compare(sketch("A"), sketch("B", text=OTHER, days=1), RULES)
    photo = compare(
        sketch("A", photos=["8f373714acfcf4d0"]),
        sketch("B", text=OTHER, days=1, photos=["8f373714acfcf4d0"]),
        RULES,
    )
    assert plain is not None and photo is not None
    assert "照片相同" in photo.reasons and photo.score > plain.score
    assert photo.score >= RULES.threshold


@pytest.mark.parametrize(
    ("b", "why"),
    [
        (sketch("B", category="security_hazard"), "another category"),
        (sketch("B", days=31), "outside the window"),
        (sketch("B", metres=700), "far apart"),
        (sketch("A"), "the case itself"),
    ],
)
def test_never_suspects(b, why):
    assert compare(sketch("A"), b, RULES) is None, why


def test_hard_negatives_stay_below_the_threshold():
    # The same place and week, a different matter and different people.
    a = sketch("A", parties=[Party("张三")])
    b = sketch("B", text=OTHER, days=1, metres=10, parties=[Party("物业公司")])
    found = compare(a, b, RULES)
    assert found is not None and found.score < RULES.threshold


def test_without_location_the_time_reason_still_shows_and_submission_is_used_without_occurrence():
    a = Sketch("A", "dispute", T0, text=NOISE, parties=(Party("张三"),))
    b = Sketch("B", "dispute", T0 + timedelta(hours=5), text=NOISE, parties=(Party("张三"),))
    found = suspect(a, b, RULES)
    assert found is not None
    assert found.reasons[0] == "提交时间相隔不到 1 天"


def test_without_location_text_alone_is_not_enough():
    # Routine matters are written alike: the same words in the same village are no proof.
    a = Sketch("A", "dispute", T0, text=NOISE)
    b = Sketch("B", "dispute", T0 + timedelta(hours=5), text=NOISE)
    found = compare(a, b, RULES)
    assert found is not None and found.score < RULES.threshold


def test_the_threshold_is_the_policys():
    a, b = sketch("A"), sketch("B", text=NOISE_AGAIN, days=3)
    score = compare(a, b, RULES).score
    assert suspect(a, b, Rules(threshold=score)) is not None
    assert suspect(a, b, Rules(threshold=min(1.0, score + 0.01))) is None
