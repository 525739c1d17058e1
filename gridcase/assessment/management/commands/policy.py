"""`gridcase policy [--town NAME] (--show | --validate FILE | --upload FILE | --list)`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from gridcase.assessment.common import check_month
from gridcase.assessment.policy_versions import (
    policy_check,
    policy_in_force,
    policy_upload,
    policy_versions,
)
from gridcase.core import clock
from gridcase.core.policy import default_policy

from ._base import AssessmentCommand, resolve_town, resolve_user


def _read(path: str, option: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{option}: 找不到文件“{path}”") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{option}: 无法读取“{path}” (应为 UTF-8 文本): {exc}") from None


class Command(AssessmentCommand):
    help = (
        "考核策略 (TOML) 的版本: 查看当前生效的策略、校验文件、上传新版本、列出版本 "
        "(assessment policy versions)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--town", help="镇名; 系统中只有一个镇时可省略")
        parser.add_argument("--show", action="store_true", help="显示当前生效的策略文件")
        parser.add_argument("--month", help="与 --show 同用: 显示该月 (YYYY-MM) 第一天生效的策略")
        parser.add_argument("--validate", metavar="FILE", help="只校验策略文件, 不保存")
        parser.add_argument(
            "--upload", metavar="FILE", help="上传新版本, 自文件中的 effective_from 起生效"
        )
        parser.add_argument(
            "--list", dest="list_versions", action="store_true", help="列出本镇的所有策略版本"
        )
        parser.add_argument(
            "--by", metavar="USERNAME", help="与 --upload 同用: 上传人 (管理员或综治办) 的用户名"
        )

    def handle(self, *args, town, show, month, validate, upload, list_versions, by, **options):
        chosen = [
            name
            for name, given in (
                ("--show", show),
                ("--validate", validate),
                ("--upload", upload),
                ("--list", list_versions),
            )
            if given
        ]
        if len(chosen) != 1:
            raise CommandError(
                "请指定一个操作: --show、--validate FILE、--upload FILE 或 --list"
                + (f" (给了 {'、'.join(chosen)})" if chosen else "")
            )
        if validate:
            policy = policy_check(_read(validate, "--validate"))
            self.stdout.write(
                f"策略文件有效: {policy.code} {policy.name}, 自 {policy.effective_from} 起生效"
            )
            return
        found = resolve_town(town)
        if show:
            self._show(found, month)
        elif list_versions:
            self._list(found)
        else:
            user = resolve_user(by) if by else None
            version = policy_upload(town=found, source=_read(upload, "--upload"), by=user)
            self.stdout.write(
                f"已上传 {found.name} 的考核策略 {version.code} ({version.name}), "
                f"自 {version.effective_from} 起生效; 此后各月的考核按此版本计算"
            )

    def _show(self, town, month):
        month = check_month(month) if month else clock.month_of(clock.today(town.timezone))
        policy = policy_in_force(town, month)
        origin = (
            "默认策略 (本镇尚未上传)"
            if not policy_versions(town).exists() or policy == default_policy()
            else "本镇上传的版本"
        )
        self.stdout.write(
            f"# {town.name} {month} 适用的考核策略: {policy.code} {policy.name}, "
            f"自 {policy.effective_from} 起生效 ({origin})\n"
        )
        self.stdout.write(policy.source, ending="" if policy.source.endswith("\n") else "\n")

    def _list(self, town):
        versions = list(policy_versions(town).order_by("effective_from"))
        if not versions:
            policy = default_policy()
            self.stdout.write(
                f"{town.name} 尚未上传考核策略, 使用默认策略 {policy.code} ({policy.name})"
            )
            return
        today = clock.today(town.timezone)
        current = max(
            (v for v in versions if v.effective_from <= today),
            default=None,
            key=lambda v: v.effective_from,
        )
        self.stdout.write(f"{town.name} 的考核策略版本:")
        for v in versions:
            who = (
                (v.uploaded_by.display_name or v.uploaded_by.username)
                if v.uploaded_by
                else "命令行"
            )
            uploaded = clock.local_date(v.uploaded_at, town.timezone)
            mark = "  ← 当前生效" if v == current else ""
            self.stdout.write(
                f"  {v.effective_from} 起  {v.code}  {v.name}  (上传: {uploaded} {who}){mark}"
            )
