"""The sales list shared by the page and the API: filters, keyset pages, totals row."""

import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection

from lib.dates import parse_date

from .models import Sale
from .totals import filtered_total, rows_total

PAGE_SIZE = 50
RELATED = ("buyer", "product", "supplier__organisation", "channel")
# SQLite takes at most 500 SELECTs to one compound statement (its default limit).
PARTS_PER_STATEMENT = 400
ID_FILTERS = {"channel": "销售渠道", "buyer": "采购单位", "product": "产品", "supplier": "供应商"}


def parse_filters(params):
    """Return (filters, errors) from query parameters; errors name the field in Chinese."""
    f, errors = {}, []
    for name, label in (("date_from", "起始日期"), ("date_to", "截止日期")):
        value = (params.get(name) or "").strip()
        if value:
            try:
                f[name] = parse_date(value)
            except ValueError as e:
                errors.append(f"{label}：{e}")
    for name, label in ID_FILTERS.items():
        value = (params.get(name) or "").strip()
        if value:
            if value.isdigit():
                f[name] = int(value)
            else:
                errors.append(f"{label}：“{value}”无效")
    kind = (params.get("kind") or "").strip()
    if kind:
        if kind in dict(Sale.KINDS):
            f["kind"] = kind
        else:
            errors.append(f"类型：“{kind}”无效，应为 purchased（直接采购）或 helped（帮助销售）")
    if f.get("date_from") and f.get("date_to") and f["date_from"] > f["date_to"]:
        errors.append("起始日期不能晚于截止日期")
    return f, errors


def parse_cursor(value):
    """Return (date, id) from "2022-06-26.1234", or None."""
    try:
        day, pk = (value or "").split(".")
        return datetime.date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def make_cursor(sale):
    return f"{sale.date.isoformat()}.{sale.pk}"


def pairing_ids(pairing_id):
    """One pairing's id, or a list of ids (a pairing and its sub-pairings,
    as the consumption figure counts them), as a list."""
    return list(pairing_id) if isinstance(pairing_id, (list, tuple)) else [pairing_id]


def filtered(pairing_id, f, scope=None):
    """Return the sales of the pairing (or of a list of pairing ids)
    matching the filters, narrowed to `scope`."""
    ids = pairing_ids(pairing_id)
    # One pairing: an equality, so the list reads its (pairing, date, id) index in order.
    qs = Sale.objects.filter(pairing_id=ids[0]) if len(ids) == 1 else Sale.objects.filter(pairing_id__in=ids)
    if scope is not None:
        qs = scope.filter(qs)
    if f.get("date_from"):
        qs = qs.filter(date__gte=f["date_from"])
    if f.get("date_to"):
        qs = qs.filter(date__lte=f["date_to"])
    for name in ID_FILTERS:
        if f.get(name):
            qs = qs.filter(**{f"{name}_id": f[name]})
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    return qs


def sales_page(pairing_id, f, cursor=None, limit=PAGE_SIZE, before=None, scope=None):
    """Return one keyset page: rows, the cursors of the next and previous
    pages (or None) and the totals row. `cursor` pages forward (rows after
    it), `before` backward (rows before it)."""
    ids = pairing_ids(pairing_id)
    back = parse_cursor(before) if before else None
    after = None if back else (parse_cursor(cursor) if cursor else None)
    rows = _window(ids, f, scope, after, back, limit + 1)
    if back:
        has_prev, rows = len(rows) > limit, rows[:limit][::-1]
        next_cursor = make_cursor(rows[-1]) if rows else None
    else:
        has_prev, has_next = after is not None, len(rows) > limit
        rows = rows[:limit]
        next_cursor = make_cursor(rows[-1]) if has_next else None
    total = filtered_total(pairing_id, f) or rows_total(filtered(pairing_id, f))
    return {
        "rows": rows,
        "next_cursor": next_cursor,
        "prev_cursor": make_cursor(rows[0]) if has_prev and rows else None,
        "total_fen": total[0],
        "total_count": total[1],
        "total_source": total[2],
    }


def _window(ids, f, scope, after, back, count):
    """Return up to `count` rows of the list next to the cursor, nearest
    first: after `after` in list order (date desc, id desc), or before `back`
    (date asc, id asc).

    One pairing's rows come in that order straight off its (pairing, date,
    id) index. Several pairings' rows (a pairing and its sub-pairings, the
    page's default) do not: under `pairing_id IN (…)` both databases read
    every sale of the tree and sort them all to show one page (0.9 s on
    SQLite for a county of 200,000 sales). So each pairing's first `count`
    keys are read off its own index, all in one UNION ALL, and the page is
    the first `count` of them: at most `count` index entries a pairing,
    whatever the size of the ledger."""
    def keys(pairing):
        qs = filtered(pairing, f, scope).values_list("date", "id")
        return qs.keyset_back(back, count) if back else qs.keyset(after, count)

    if len(ids) == 1:
        qs = filtered(ids[0], f, scope).select_related(*RELATED)
        return list(qs.keyset_back(back, count) if back else qs.keyset(after, count))
    parts = []
    for pairing in ids:
        try:
            parts.append(keys(pairing).query.sql_with_params())
        except EmptyResultSet:  # nothing of this pairing is in the reader's scope
            pass
    found = []
    for start in range(0, len(parts), PARTS_PER_STATEMENT):
        chunk = parts[start:start + PARTS_PER_STATEMENT]
        sql = " UNION ALL ".join(f"SELECT * FROM ({part}) AS part{n}" for n, (part, _) in enumerate(chunk))
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for _, params in chunk for value in params])
            found += cursor.fetchall()
    # A date comes back as text (SQLite) or a date (PostgreSQL): as text, both sort by day.
    found.sort(key=lambda key: (str(key[0]), key[1]), reverse=not back)
    wanted = [pk for _, pk in found[:count]]
    order = ("date", "id") if back else ("-date", "-id")
    # By id alone: they passed the filters and the scope above (the pairing
    # filter again would have SQLite scan the tree's index instead).
    return list(Sale.objects.filter(pk__in=wanted).select_related(*RELATED).order_by(*order))
