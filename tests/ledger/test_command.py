"""`gridcase import-cases`: what a clerk reads, and the exit code."""

import io

import pytest
from django.core.management import CommandError, call_command

from gridcase.cases.models import Case

from .conftest import row


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cases", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_summary_counts_created_updated_unchanged_and_nonconforming(t, ledger):
    path = ledger([row("L-1"), row("L-2", location="")], chinese=True, bom=True)
    out, _ = command(path, "--town", "长塘镇")
    assert "新增 2 条" in out and "不合格 1 条" in out
    assert "第 3 行: L-2 缺少发生地点" in out
    out, _ = command(path, "--town", "长塘镇")
    assert "新增 0 条, 更新 0 条, 未变 2 条" in out


def test_bad_rows_are_listed_with_exit_code_1(t, ledger):
    path = ledger([row("L-1"), row("L-2", category="xx")])
    with pytest.raises(CommandError) as err:
        command(path, "--town", "长塘镇")
    assert err.value.returncode == 1
    assert "1 行无法导入" in str(err.value)
    assert not Case.objects.exists()


def test_bad_rows_are_written_to_stderr(t, ledger):
    path = ledger([row("L-1"), row("L-2", category="xx")])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_cases", str(path), "--town", "长塘镇", stderr=err)
    assert "第 3 行: 事件类别“xx”无法识别" in err.getvalue()


def test_dry_run_says_nothing_was_written(t, ledger):
    out, _ = command(ledger([row()]), "--town", "长塘镇", "--dry-run")
    assert "未写入任何数据" in out and "将新增 1 条" in out
    assert not Case.objects.exists()


def test_an_unknown_town_exits_1_naming_it(db, ledger):
    with pytest.raises(CommandError, match="镇“青山镇”不存在") as err:
        command(ledger([row()]), "--town", "青山镇")
    assert err.value.returncode == 1


def test_a_missing_file_is_named(t, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        command(tmp_path / "nope.csv", "--town", "长塘镇")


def test_create_missing_says_what_it_created(db, ledger):
    out, _ = command(
        ledger([row(village="南村", officer="赵六")]), "--town", "青山镇", "--create-missing"
    )
    assert "新建镇: 青山镇" in out
    assert "新建行政村: 南村" in out
    assert "赵六(南村)" in out
