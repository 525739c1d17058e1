"""Keyset ("seek") pages over a queue: constant cost at any depth, never OFFSET."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from gridcase.cases.deadlines import due_now_expr
from gridcase.cases.models import Case

FAR_FUTURE = date(9999, 12, 31)


@dataclass(frozen=True)
class Order:
    """A tab's order: a sort key and the id, both in one direction.

    `key` is a column name, or an expression (then annotated as `sort_key`). A column is
    used as itself in WHERE and ORDER BY, so that the database can walk its index (an alias
    such as `ORDER BY sort_key` made SQLite sort the whole town instead).
    """

    key: str | object
    desc: bool
    kind: str  # "date" or "datetime": how a cursor's key is read back

    @property
    def column(self) -> str:
        return self.key if isinstance(self.key, str) else "sort_key"


ORDERS = {
    "follow_up": Order("follow_up_due", False, "date"),
    "drafts": Order("created_at", True, "datetime"),
    "all": Order("submitted_at", True, "datetime"),
}
QUEUE_ORDER = Order(Coalesce(due_now_expr(), Value(FAR_FUTURE)), False, "date")


def order_for(tab: str) -> Order:
    """Queue tabs: by deadline, earliest first — which is by light, red, yellow, green."""
    return ORDERS.get(tab, QUEUE_ORDER)


def encode_cursor(key, pk: int) -> str:
    return f"{key.isoformat()}~{pk}"


def decode_cursor(raw: str, order: Order):
    """(key, id), or None when the cursor is not one of ours (then the first page is shown)."""
    try:
        key_text, pk_text = raw.rsplit("~", 1)
        pk = int(pk_text)
        if order.kind == "date":
            return date.fromisoformat(key_text), pk
        return datetime.fromisoformat(key_text), pk
    except (ValueError, AttributeError):
        return None


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None
    size: int


def _seek(cases: QuerySet[Case], column: str, cursor, *, forward: bool, desc: bool):
    """Rows after (forward) or before the cursor in the order (column, id)."""
    key, pk = cursor
    cmp = "gt" if forward != desc else "lt"
    return cases.filter(Q(**{f"{column}__{cmp}": key}) | Q(**{column: key, f"pk__{cmp}": pk}))


def _rows(qs: QuerySet[Case], ordering: list, limit: int, *, by_ids: bool) -> list:
    """The first `limit` rows of `qs` in `ordering`.

    `by_ids` (an order by an expression, the queue tabs' deadline): first the ids alone, then
    the rows of those ids. The ids' query names only columns that the queue indexes hold
    (scope, state, level, category, deadlines, officer, id), so PostgreSQL sorts a town's
    open cases from the index alone (case_town_queue_cat; a village's: case_village_queue)
    instead of fetching every one of them from the table to sort them: the governance
    office's tabs read 26,000 scattered rows for a page of 30 (issue 15). One more query,
    of 31 rows by primary key.
    """
    ordered = qs.order_by(*ordering)
    if not by_ids:
        return list(ordered[:limit])
    ids = list(ordered.values_list("pk", flat=True)[:limit])
    found = {row.pk: row for row in qs.filter(pk__in=ids).order_by()} if ids else {}
    return [found[pk] for pk in ids if pk in found]


def keyset_page(
    cases: QuerySet[Case],
    order: Order,
    *,
    after: str = "",
    before: str = "",
    size: int = 30,
) -> Page:
    """One page of `size` rows after or before a cursor: constant cost at any depth.

    The orders are plain ASC/DESC (no NULLS FIRST/LAST clause), so that a database can walk an
    index such as case(town, submitted_at) backwards and stop after one page; every tab's sort
    key is non-null for the rows it holds.
    """
    column = order.column
    by_ids = not isinstance(order.key, str)
    if by_ids:
        cases = cases.annotate(sort_key=order.key)
    if order.desc:
        forward_order = [F(column).desc(), "-pk"]
        backward_order = [F(column).asc(), "pk"]
    else:
        forward_order = [F(column).asc(), "pk"]
        backward_order = [F(column).desc(), "-pk"]
    cursor_after = decode_cursor(after, order) if after else None
    cursor_before = decode_cursor(before, order) if before and not cursor_after else None
    if cursor_before:
        qs = _seek(cases, column, cursor_before, forward=False, desc=order.desc)
        rows = _rows(qs, backward_order, size + 1, by_ids=by_ids)
        has_prev = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_next = True
    else:
        qs = (
            _seek(cases, column, cursor_after, forward=True, desc=order.desc)
            if cursor_after
            else cases
        )
        rows = _rows(qs, forward_order, size + 1, by_ids=by_ids)
        has_next = len(rows) > size
        rows = rows[:size]
        has_prev = cursor_after is not None
    return Page(
        rows=rows,
        next_cursor=encode_cursor(getattr(rows[-1], column), rows[-1].pk)
        if rows and has_next
        else None,
        prev_cursor=encode_cursor(getattr(rows[0], column), rows[0].pk)
        if rows and has_prev
        else None,
        size=size,
    )
