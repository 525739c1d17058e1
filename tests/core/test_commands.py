"""The command line: deadline, calendar, --help, and clear errors."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gridcase import cli


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_deadline_prints_the_due_date_across_labour_day():
    assert run("deadline", "--from", "2026-04-30", "--working-days", "2").startswith(
        "2026-05-07  星期四"
    )


@pytest.mark.django_db
def test_deadline_uses_the_towns_overrides(t):
    from datetime import date

    from gridcase.core.models import CalendarOverride

    CalendarOverride.objects.create(town=t.town, day=date(2026, 12, 1), kind="holiday")
    out = run("deadline", "--from", "2026-11-30", "--working-days", "1", "--town", "长塘镇")
    assert out.startswith("2026-12-02")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["--from", "2026-02-30", "--working-days", "2"], "--from"),
        (["--from", "2026-02-03", "--working-days", "0"], "--working-days"),
        (["--from", "2026-02-03", "--working-days", "2", "--town", "无此镇"], "无此镇"),
    ],
)
def test_deadline_refuses_bad_input_naming_the_option(args, word):
    with pytest.raises(CommandError) as err:
        run("deadline", *args)
    assert word in str(err.value)


@pytest.mark.django_db
def test_calendar_lists_the_make_up_days():
    assert "05-09" in run("calendar", "--year", "2026")


def test_help_lists_every_command(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in cli.COMMANDS:
        assert name in out


def test_an_unknown_command_is_named(capsys):
    assert cli.main(["frobnicate"]) == 2
    assert "frobnicate" in capsys.readouterr().err
