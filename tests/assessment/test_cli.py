"""`gridcase assess`, `gridcase policy`, `gridcase assessment` as a clerk types them."""

import json

import pytest
from django.db import connections
from openpyxl import load_workbook

from gridcase import cli
from gridcase.assessment.models import Adjustment, Appeal, QuarterAssessment
from gridcase.cases.models import TimelineEntry
from gridcase.core.policy import DEFAULT_POLICY_PATH
from gridcase.org.models import PolicyVersion
from tests.assessment.builders import closed_locally
from tests.factories import local

DEFAULT_TEXT = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(local(2027, 3, 1, 9), tick=False)


@pytest.fixture
def gridcase(monkeypatch, capsys):
    """Run `gridcase …` as from a shell: (exit code, stdout, stderr)."""
    # A command closes the database connections when it ends; the test's transaction must live.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:
            code = exc.code
        out = capsys.readouterr()
        assert "Traceback" not in out.err
        return code, out.out, out.err

    return run


def bad_policy(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(DEFAULT_TEXT.replace("per_closed = 20", "per_closed = -20"), encoding="utf-8")
    return path


# ---------------------------------------------------------------- assess


def test_assess_prints_a_table_for_a_month(t, gridcase):
    closed_locally(t, local(2026, 10, 12, 9))
    code, out, err = gridcase("assess", "--month", "2026-10", "--skip-checks")
    assert code == 0, err
    assert "长塘镇 网格专管员考核 2026年10月" in out
    assert "officer" in out and "other_officer" in out and "说明:" in out


def test_assess_prints_the_json_of_a_quarter(t, gridcase):
    closed_locally(t, local(2026, 10, 12, 9))
    code, out, _ = gridcase("assess", "--quarter", "2026-q4", "--format", "json", "--skip-checks")
    assert code == 0
    data = json.loads(out)
    assert data["period"] == "2026-Q4"
    assert [m["month"] for m in data["officers"][0]["months"]] == ["2026-10", "2026-11", "2026-12"]
    assert data["officers"][0]["total"] == "70.00"


def test_assess_writes_the_payroll_workbook(t, gridcase, tmp_path):
    target = tmp_path / "q4.xlsx"
    code, out, _ = gridcase(
        "assess", "--quarter", "2026-Q4", "--format", "xlsx", "--output", str(target)
    )
    assert code == 0 and str(target) in out
    assert load_workbook(target).sheetnames[0] == "工资表"


def test_a_what_if_policy_changes_nothing(t, gridcase, tmp_path):
    closed_locally(t, local(2026, 10, 12, 9))
    path = tmp_path / "generous.toml"
    path.write_text(DEFAULT_TEXT.replace("quota = 8", "quota = 1"), encoding="utf-8")
    code, out, _ = gridcase(
        "assess", "--month", "2026-10", "--policy", str(path), "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["officers"][0]["total"] == "100.00"
    assert not PolicyVersion.objects.exists()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        ((), "--month YYYY-MM 或 --quarter"),
        (("--month", "2026-10", "--quarter", "2026-Q4"), "二者选一"),
        (("--month", "2026-13"), "--month"),
        (("--month", "October"), "--month"),
        (("--quarter", "2026-Q5"), "--quarter"),
        (("--month", "2026-10", "--format", "pdf"), "--format"),
        (("--month", "2026-10", "--town", "桃源镇"), "--town: 找不到镇“桃源镇”"),
        (("--month", "2026-10", "--policy", "/nonexistent.toml"), "--policy: 找不到策略文件"),
        (("--month", "2026-10", "--colour"), "无法识别的参数: --colour"),
        (("--month",), "选项 --month 需要一个值"),
    ],
)
def test_bad_arguments_are_one_chinese_line_naming_the_option(t, gridcase, argv, words):
    code, out, err = gridcase("assess", *argv)
    assert code != 0
    assert words in err
    assert err.startswith("错误: ")
    assert out == ""


def test_a_bad_policy_file_names_the_key(t, gridcase, tmp_path):
    code, _, err = gridcase("assess", "--month", "2026-10", "--policy", str(bad_policy(tmp_path)))
    assert code == 1
    assert "bonus.per_closed" in err


def test_with_several_towns_the_town_must_be_named(t, other_town, gridcase):
    code, _, err = gridcase("assess", "--month", "2026-10")
    assert code == 2
    assert "--town" in err and "长塘镇" in err and "白沙镇" in err
    code, out, _ = gridcase("assess", "--month", "2026-10", "--town", "白沙镇")
    assert code == 0 and "白沙镇" in out


# ---------------------------------------------------------------- policy


def test_policy_validate_upload_list_and_show(t, gridcase, tmp_path):
    good = tmp_path / "2027.toml"
    good.write_text(
        DEFAULT_TEXT.replace("2016-05-01", "2027-01-01").replace("changtang-2016", "ct-2027"),
        encoding="utf-8",
    )
    code, out, _ = gridcase("policy", "--validate", str(good))
    assert code == 0 and "ct-2027" in out
    code, _, err = gridcase("policy", "--validate", str(bad_policy(tmp_path)))
    assert code == 1 and "bonus.per_closed" in err

    code, out, err = gridcase("policy", "--upload", str(good), "--by", "office")
    assert code == 0, err
    assert "2027-01-01" in out
    assert PolicyVersion.objects.get().uploaded_by == t.office_user

    code, out, _ = gridcase("policy", "--list")
    assert "ct-2027" in out and "当前生效" in out
    code, out, _ = gridcase("policy", "--show", "--month", "2026-12")
    assert "changtang-2016" in out and "[bonus]" in out
    code, out, _ = gridcase("policy", "--show")
    assert "ct-2027" in out


def test_policy_needs_exactly_one_action(t, gridcase):
    code, _, err = gridcase("policy")
    assert code == 2 and "--show" in err
    code, _, err = gridcase("policy", "--show", "--list")
    assert code == 2 and "--show、--list" in err


def test_an_officer_may_not_upload_a_policy(t, gridcase, tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(DEFAULT_TEXT, encoding="utf-8")
    code, _, err = gridcase("policy", "--upload", str(path), "--by", "officer")
    assert code == 1 and "管理员或政法综治办" in err
    assert not PolicyVersion.objects.exists()


# ---------------------------------------------------------------- the quarter's life


def test_the_quarter_from_finalise_to_adjustment_on_the_command_line(t, gridcase, time_machine):
    time_machine.move_to(local(2026, 12, 31, 9), tick=False)
    code, _, err = gridcase("assessment", "finalise", "--quarter", "2026-Q4", "--by", "office")
    assert code == 1 and "可于 2027-01-01 起定稿" in err

    time_machine.move_to(local(2027, 1, 4, 9), tick=False)
    code, _, err = gridcase("assessment", "approve", "--quarter", "2026-Q4", "--by", "leader")
    assert code == 1 and "尚未定稿" in err
    code, out, err = gridcase("assessment", "finalise", "--quarter", "2026-Q4", "--by", "office")
    assert code == 0, err
    assert "已定稿" in out
    code, _, err = gridcase("assessment", "finalise", "--quarter", "2026-Q4", "--by", "office")
    assert code == 1 and "已定稿" in err
    code, _, err = gridcase("assessment", "approve", "--quarter", "2026-Q4", "--by", "office")
    assert code == 1 and "分管领导" in err
    code, out, _ = gridcase("assessment", "approve", "--quarter", "2026-Q4", "--by", "leader")
    assert code == 0 and "已审批" in out
    code, out, err = gridcase(
        "assessment",
        "adjust",
        "--quarter",
        "2026-Q4",
        "--officer",
        "officer",
        "--amount",
        "-10",
        "--reason",
        "12月重复录入一起",
        "--by",
        "office",
    )
    assert code == 0, err
    assert "计入 2027-Q1" in out
    assert Adjustment.objects.get().amount == -10
    code, out, _ = gridcase("assessment", "status", "--quarter", "2026-Q4")
    assert "已审批" in out and "12月重复录入一起" in out
    assert QuarterAssessment.objects.get().status == "approved"


def test_an_appeal_and_its_decision_on_the_command_line(t, gridcase):
    late = closed_locally(t, local(2026, 10, 12, 9), close_at=local(2026, 10, 20, 9))
    code, out, err = gridcase(
        "assessment", "appeal", "--case", late.number, "--by", "officer", "--reason", "系统故障"
    )
    assert code == 0, err
    appeal = Appeal.objects.get()
    assert f"#{appeal.pk}" in out and "超期" in out
    code, out, _ = gridcase("assessment", "status", "--quarter", "2026-Q4")
    assert f"#{appeal.pk} {late.number}" in out and "待处理" in out

    code, _, err = gridcase("assessment", "decide", "--appeal", str(appeal.pk), "--by", "office")
    assert code == 2 and "--accept" in err
    code, out, err = gridcase(
        "assessment", "decide", "--appeal", str(appeal.pk), "--accept", "--by", "office"
    )
    assert code == 0, err
    assert "按按时结案或上报计" in out
    assert TimelineEntry.objects.filter(case=late, action="appeal_decided").exists()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("finalise", "--quarter", "2026-Q4"), "--by"),
        (("finalise", "--quarter", "2026-Q4", "--by", "nobody"), "--by: 找不到用户“nobody”"),
        (("finalise", "--by", "office"), "--quarter"),
        (("status", "--quarter", "Q4"), "--quarter"),
        (("appeal", "--case", "CT-0000", "--by", "officer", "--reason", "x"), "--case"),
        (("decide", "--appeal", "x", "--accept", "--by", "office"), "--appeal"),
        (
            ("decide", "--appeal", "1", "--accept", "--override", "all", "--by", "office"),
            "--override",
        ),
        (("adjust", "--quarter", "2026-Q4", "--officer", "officer", "--by", "office"), "--amount"),
        (("publish",), "选项"),
        ((), "缺少必需的选项"),
    ],
)
def test_assessment_arguments_are_checked_in_chinese(t, gridcase, argv, words):
    code, _, err = gridcase("assessment", *argv)
    assert code != 0
    assert words in err and err.startswith("错误: ")
