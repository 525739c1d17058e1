"""The ledger's references to the town: its villages and officers by name (and the ones an
import creates), the town itself when new, and the case numbers already present. Loaded in a
few queries for the whole ledger, never per row.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from gridcase.cases.models import Case
from gridcase.org.models import Role, Town, User, Village

from .report import ImportReport, RowProblem
from .rows import LedgerRow

DEFAULT_TIMEZONE = "Asia/Shanghai"


def case_numbers(town: Town) -> dict[str, tuple[int, str]]:
    """Every case number of the town -> (id, source), in one scan of the town's cases.

    One scan rather than `number IN (…)` per batch: without statistics SQLite answers that
    through the (town, state, level) index, reading the whole town once per batch."""
    return {
        number: (case_id, source)
        for number, case_id, source in Case.objects.filter(town=town).values_list(
            "number", "id", "source"
        )
    }


@dataclass(frozen=True)
class Officer:
    user_id: int
    village_id: int | None
    grid_id: int | None


class AmbiguousOfficer(Exception):
    pass


@dataclass
class References:
    """The town's villages and officers by name, and the ones an import will create."""

    villages: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, list[Officer]] = field(default_factory=dict)
    by_username: dict[str, list[Officer]] = field(default_factory=dict)
    new_villages: dict[str, None] = field(default_factory=dict)  # an ordered set
    new_officers: dict[str, dict[str, None]] = field(default_factory=dict)  # name -> villages

    @classmethod
    def load(cls, town: Town | None) -> References:
        refs = cls()
        if town is None:
            return refs
        refs.villages = dict(Village.objects.filter(town=town).values_list("name", "id"))
        roles = Role.objects.filter(town=town, kind=Role.Kind.OFFICER).values_list(
            "user_id", "user__display_name", "user__username", "village_id", "grid_id"
        )
        for user_id, display_name, username, village_id, grid_id in roles:
            officer = Officer(user_id, village_id, grid_id)
            if display_name:
                refs.by_name.setdefault(display_name, []).append(officer)
            refs.by_username.setdefault(username, []).append(officer)
        return refs

    def officer(self, name: str, village_id: int | None) -> tuple[int, int | None] | None:
        """(user id, grid id) of the officer so named, preferring one of the row's village."""
        candidates = self.by_name.get(name) or self.by_username.get(name) or []
        if not candidates:
            return None
        here = [c for c in candidates if c.village_id == village_id]
        users = {c.user_id for c in candidates}
        if len(users) > 1:
            if len({c.user_id for c in here}) != 1:
                raise AmbiguousOfficer(name)
            return here[0].user_id, here[0].grid_id
        return (here[0].user_id, here[0].grid_id) if here else (candidates[0].user_id, None)

    def resolve(
        self,
        rows: list[LedgerRow],
        *,
        create_missing: bool,
        town_name: str,
        report: ImportReport,
    ) -> None:
        hint = "(加 --create-missing 可自动创建)"
        for row in rows:
            village_id = self.villages.get(row.village)
            reasons = []
            if village_id is None:
                if create_missing:
                    self.new_villages[row.village] = None
                else:
                    reasons.append(f"行政村“{row.village}”在{town_name}不存在{hint}")
            try:
                found = self.officer(row.officer, village_id)
            except AmbiguousOfficer:
                reasons.append(
                    f"网格专管员“{row.officer}”在{town_name}有多人同名,无法确定是哪一位:"
                    "请改填其登录账号名"
                )
                found = True
            if found is None:
                if create_missing:
                    self.new_officers.setdefault(row.officer, {})[row.village] = None
                else:
                    reasons.append(f"网格专管员“{row.officer}”在{town_name}不存在{hint}")
            if reasons:
                report.problems.append(RowProblem(row.line, ";".join(reasons)))

    def create_missing(self, town: Town, report: ImportReport) -> None:
        if self.new_villages:
            Village.objects.bulk_create(Village(town=town, name=n) for n in self.new_villages)
            self.villages = dict(Village.objects.filter(town=town).values_list("name", "id"))
            report.new_villages = list(self.new_villages)
        if not self.new_officers:
            return
        usernames = free_usernames(town, list(self.new_officers))
        users = User.objects.bulk_create(
            User(
                username=usernames[name],
                display_name=name,
                town=town,
                # make_password(None) is an unusable password: they log in once given one.
                password=make_password(None),
            )
            for name in self.new_officers
        )
        user_ids = dict(
            User.objects.filter(username__in=[u.username for u in users]).values_list(
                "username", "id"
            )
        )
        roles = []
        for name, villages in self.new_officers.items():
            user_id = user_ids[usernames[name]]
            for village in villages:
                officer = Officer(user_id, self.villages[village], None)
                self.by_name.setdefault(name, []).append(officer)
                roles.append(
                    Role(
                        user_id=user_id,
                        town=town,
                        kind=Role.Kind.OFFICER,
                        village_id=self.villages[village],
                    )
                )
        Role.objects.bulk_create(roles)
        report.new_officers = [
            f"{name}({'、'.join(villages)})" for name, villages in self.new_officers.items()
        ]


def free_usernames(town: Town, names: list[str]) -> dict[str, str]:
    """A login name per new officer: `<town code>_<name>`, numbered when taken."""
    wanted = {name: f"{town.code}_{name}"[:140] for name in names}
    taken = set(
        User.objects.filter(username__startswith=f"{town.code}_").values_list("username", flat=True)
    )
    result = {}
    for name, base in wanted.items():
        username, n = base, 1
        while username in taken:
            n += 1
            username = f"{base}_{n}"
        taken.add(username)
        result[name] = username
    return result


def create_town(name: str) -> Town:
    """A new town: Asia/Shanghai, the default policy (no version row needed), a unique code."""
    base = slugify(name)[:14] or f"t{zlib.crc32(name.encode()):08x}"[:9]
    taken = set(Town.objects.filter(code__startswith=base).values_list("code", flat=True))
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return Town.objects.create(name=name, code=code, timezone=DEFAULT_TIMEZONE)
