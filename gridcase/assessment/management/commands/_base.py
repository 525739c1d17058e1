"""What the assessment commands share: Chinese errors without tracebacks, and lookups by name.

argparse speaks English and Django prints "CommandError: …"; a clerk at the governance office
should read one Chinese line that names the option, and get a non-zero exit code.
"""

from __future__ import annotations

import re
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridcase.cases.errors import CaseError
from gridcase.cases.models import Case
from gridcase.core.policy import PolicyError
from gridcase.org.models import Town, User

_ARGPARSE_WORDS = [
    (r"the following arguments are required: (.*)", r"缺少必需的选项: \1"),
    (r"one of the arguments (.*) is required", r"必须指定其中一个选项: \1"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数: \1"),
    (r"argument (\S+): expected one argument", r"选项 \1 需要一个值"),
    (r"argument (\S+): not allowed with argument (\S+)", r"选项 \1 不能与 \2 同时使用"),
    (
        r"argument (\S+): invalid choice: '?([^']*)'? \(choose from (.*)\)",
        r"选项 \1 的值“\2”无效, 可选: \3",
    ),
    (r"argument (\S+): invalid \S+ value: '?([^']*)'?", r"选项 \1 的值“\2”无效"),
    (r"argument (\S+): ignored explicit argument '?([^']*)'?", r"选项 \1 不接受值“\2”"),
]


def in_chinese(message: str) -> str:
    for pattern, words in _ARGPARSE_WORDS:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, words, message)
    return message


class ChineseParser(CommandParser):
    def error(self, message):
        raise CommandError(f"{in_chinese(message)} (加 --help 查看用法)")


class AssessmentCommand(BaseCommand):
    """A command whose user errors are one Chinese line on stderr and exit code 2 (1 for a
    refusal by the services); programmatic calls (call_command) get a CommandError."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = ChineseParser  # so that sub-commands' parsers are Chinese too
        return parser

    def run_from_argv(self, argv):
        self._called_from_command_line = True
        try:
            super().run_from_argv(argv)
        except CommandError as exc:  # raised while parsing, before execute()
            self.stderr.write(f"错误: {exc}")
            sys.exit(2)

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except (CommandError, CaseError, PolicyError) as exc:
            message = exc.message if isinstance(exc, CaseError) else str(exc)
            code = 1 if isinstance(exc, (CaseError, PolicyError)) else 2
            if not getattr(self, "_called_from_command_line", False):
                raise CommandError(message, returncode=code) from exc
            self.stderr.write(f"错误: {message}")
            sys.exit(code)


def resolve_town(name: str | None) -> Town:
    """The named town (by name or code); with none given, the only town there is."""
    if name:
        town = Town.objects.filter(name=name).first() or Town.objects.filter(code=name).first()
        if town is None:
            known = "、".join(Town.objects.values_list("name", flat=True)[:30]) or "(无)"
            raise CommandError(f"--town: 找不到镇“{name}”。已有的镇: {known}")
        return town
    towns = list(Town.objects.order_by("name")[:30])
    if len(towns) == 1:
        return towns[0]
    if not towns:
        raise CommandError(
            "系统中还没有镇; 请先用 gridcase import-cases --create-missing 或管理后台建立"
        )
    known = "、".join(t.name for t in towns)
    raise CommandError(f"--town: 系统中有多个镇, 请用 --town 指定镇名 ({known})")


def resolve_user(username: str | None, option: str = "--by") -> User:
    if not username:
        raise CommandError(f"{option}: 请指定操作人的用户名")
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"{option}: 找不到用户“{username}”")
    if not user.is_active:
        raise CommandError(f"{option}: 用户“{username}”已停用")
    return user


def resolve_case(town: Town, number: str | None) -> Case:
    if not number:
        raise CommandError("--case: 请指定事件编号")
    case = Case.objects.select_related("town").filter(town=town, number=number.strip()).first()
    if case is None:
        raise CommandError(f"--case: {town.name}没有编号为“{number}”的事件")
    return case
