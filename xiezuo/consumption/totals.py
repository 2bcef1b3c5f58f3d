"""Maintained totals of sales: deltas, atomic upserts, recomputation.

Every write of sales collects its effect as a `Deltas` (key → fen, count) and
applies it inside the caller's transaction with one statement per table and
chunk:

    INSERT INTO t (keys…, amount_fen, n) VALUES …
    ON CONFLICT (keys…) DO UPDATE SET amount_fen = t.amount_fen + excluded.amount_fen,
                                      n = t.n + excluded.n

Both SQLite (≥ 3.24) and PostgreSQL run this atomically per row, so two
writers adding to the same key never lose an update, and a first sale of a key
creates its row without a race. Keys are applied in sorted order so two
PostgreSQL writers lock rows in the same order and cannot deadlock.
"""

from collections import defaultdict
from decimal import Decimal
from itertools import compress, repeat
from operator import add, itemgetter, mul

from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, F, Sum, Value
from django.db.models.functions import Cast, Round

from .models import BuyerTotal, ProductTotal, Sale, SaleTotal

# table model, the sale fields of its key (in column order)
TABLES = (
    (SaleTotal, ("pairing_id", "year", "month", "channel_id", "kind")),
    (BuyerTotal, ("pairing_id", "buyer_id", "year", "channel_id", "kind")),
    (ProductTotal, ("pairing_id", "product_id", "year", "channel_id", "kind")),
)
KEY_FIELDS = {"pairing", "pairing_id", "buyer", "buyer_id", "product", "product_id", "channel", "channel_id",
              "kind", "year", "month"}
CHUNK = 200


def to_fen(amount):
    return int((Decimal(amount) * 100).to_integral_value())


def fen_sum():
    """SUM(amount) in integer fen, exact on both databases (SQLite keeps
    DECIMAL columns as floating point; each rounded value is an exact integer)."""
    return Cast(Sum(Round(F("amount") * Value(100))), output_field=BigIntegerField())


class _ColumnSums:
    """The three tables' sums of many new sales added as columns, kept in
    flat lists indexed by small integers until read.

    A row's group (pairing, year, channel, kind: a few per import), buyer
    and product are numbered with C loops (dictionaries of the few distinct
    values); its places in the lists are computed from those numbers with
    C loops too, and a single Python loop adds the row's fen and one into
    the three tables' lists. Keys are made only when the sums are read, once
    per key, not per row."""

    def __init__(self):
        self.groups, self.group_keys = {}, []  # (pairing_id, year, channel_id, kind) → g
        self.numbers = {"buyer_id": ({}, []), "product_id": ({}, [])}  # id → number, and back
        self.stride = 8  # groups per buyer and per product in their lists; doubled when outgrown
        self.sale = ([], [])  # fen and count at g * 13 + month
        self.buyer = ([], [])  # at buyer number * stride + g
        self.product = ([], [])  # at product number * stride + g

    def add(self, columns, fens):
        """Add the rows; return False, having added nothing, when a month is
        not 1 to 12 (the caller adds them key by key)."""
        months = columns["month"]
        if not months or min(months) < 1 or max(months) > 12:
            return False
        group_keys = list(zip(columns["pairing_id"], columns["year"], columns["channel_id"], columns["kind"]))
        for key in set(group_keys).difference(self.groups):
            self.groups[key] = len(self.group_keys)
            self.group_keys.append(key)
            for values in self.sale:
                values.extend(repeat(0, 13))
        if len(self.groups) > self.stride:
            self._widen()
        groups = list(map(self.groups.__getitem__, group_keys))
        places = [list(map(add, map(mul, groups, repeat(13)), months))]
        for field, table in (("buyer_id", self.buyer), ("product_id", self.product)):
            numbers, ids = self.numbers[field]
            new = set(columns[field]).difference(numbers)
            for value in new:
                numbers[value] = len(ids)
                ids.append(value)
            for values in table:
                values.extend(repeat(0, len(new) * self.stride))
            places.append(list(map(add, map(mul, map(numbers.__getitem__, columns[field]), repeat(self.stride)),
                                   groups)))
        (sale_fen, sale_n), (buyer_fen, buyer_n), (product_fen, product_n) = self.sale, self.buyer, self.product
        for at_sale, at_buyer, at_product, fen in zip(*places, fens):
            sale_fen[at_sale] += fen
            sale_n[at_sale] += 1
            buyer_fen[at_buyer] += fen
            buyer_n[at_buyer] += 1
            product_fen[at_product] += fen
            product_n[at_product] += 1
        return True

    def _widen(self):
        """Double the stride until every group has its place by each buyer and product."""
        old = self.stride
        while self.stride < len(self.groups):
            self.stride *= 2
        for field, table in (("buyer_id", self.buyer), ("product_id", self.product)):
            size = len(self.numbers[field][1]) * self.stride
            for k, values in enumerate(table):
                wider = [0] * size
                for at in compress(range(len(values)), values):
                    wider[at // old * self.stride + at % old] = values[at]
                table[k][:] = wider

    def into(self, tables):
        """Add the sums to `tables` ({table model: {key: [fen, count]}}):
        the keys made by zip from the numbers, in C."""
        groups = self.group_keys
        fen, n = self.sale
        at = list(compress(range(len(n)), n))
        places = list(zip(*map(divmod, at, repeat(13)))) or [(), ()]
        keys = list(map(groups.__getitem__, places[0]))
        pairing, year, channel, kind = (map(itemgetter(i), keys) for i in range(4))
        _merge(tables[SaleTotal], zip(pairing, year, places[1], channel, kind), at, fen, n)
        for model, field, (fen, n) in ((BuyerTotal, "buyer_id", self.buyer), (ProductTotal, "product_id", self.product)):
            at = list(compress(range(len(n)), n))
            places = list(zip(*map(divmod, at, repeat(self.stride)))) or [(), ()]
            keys = list(map(groups.__getitem__, places[1]))
            pairing, year, channel, kind = (map(itemgetter(i), keys) for i in range(4))
            ids = map(self.numbers[field][1].__getitem__, places[0])
            _merge(tables[model], zip(pairing, ids, year, channel, kind), at, fen, n)


def _merge(table, keys, at, fen, n):
    """Add [fen[i], n[i]] for i in `at` to the table's cells of `keys`."""
    cells = zip(map(fen.__getitem__, at), map(n.__getitem__, at))
    if not table:
        table.update(zip(keys, map(list, cells)))
        return
    for key, (more_fen, more_n) in zip(keys, cells):
        cell = table[key]
        cell[0] += more_fen
        cell[1] += more_n


class Deltas:
    ROW_FIELDS = ("pairing_id", "year", "month", "channel_id", "kind", "buyer_id", "product_id", "amount")

    def __init__(self):
        self._tables = {model: defaultdict(lambda: [0, 0]) for model, _ in TABLES}
        self._sums = None  # rows added as columns (see add_columns)

    @property
    def by_table(self):
        """{table model: {key: [fen, count]}}."""
        if self._sums is not None:
            self._sums.into(self._tables)
            self._sums = None
        return self._tables

    def add(self, row, sign=1, fen=None):
        """Add one sale (a model instance or a dict of ROW_FIELDS) with sign ±1."""
        get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name))
        fen = to_fen(get("amount")) if fen is None else fen
        tables = self.by_table
        for model, fields in TABLES:
            cell = tables[model][tuple(get(f) for f in fields)]
            cell[0] += sign * fen
            cell[1] += sign

    def add_columns(self, columns, fens):
        """Add many new sales given as columns ({ROW_FIELDS name: values};
        `fens` the amounts in integer fen): summed per table key, across
        calls, with the per-row work in C loops but one (see _ColumnSums)."""
        if self._sums is None:
            self._sums = _ColumnSums()
        if not self._sums.add(columns, fens):
            tables = self.by_table
            for model, fields in TABLES:
                table = tables[model]
                for key, fen in zip(zip(*[columns[f] for f in fields]), fens):
                    cell = table[key]
                    cell[0] += fen
                    cell[1] += 1

    @classmethod
    def from_queryset(cls, qs, sign):
        """Collect the sales of a queryset with GROUP BY queries (one per table)."""
        deltas = cls()
        for model, fields in TABLES:
            names = [f.removesuffix("_id") if f.endswith("_id") else f for f in fields]
            rows = qs.order_by().values(*names).annotate(fen=fen_sum(), n=Count("id"))
            for row in rows:
                cell = deltas.by_table[model][tuple(row[n] for n in names)]
                cell[0] += sign * (row["fen"] or 0)
                cell[1] += sign * row["n"]
        return deltas

    def apply(self):
        """Write the deltas as atomic upserts (one statement per table and chunk)."""
        with transaction.atomic():
            for model, fields in TABLES:
                # One order for every writer (keys of ids, years, months and
                # codes compare as tuples): two PostgreSQL writers lock rows
                # in the same order and cannot deadlock.
                items = sorted((kv for kv in self.by_table[model].items() if kv[1][0] or kv[1][1]), key=itemgetter(0))
                if connection.vendor == "postgresql":
                    upsert_arrays(model, fields, items)
                    continue
                for start in range(0, len(items), CHUNK):
                    upsert(model, fields, items[start:start + CHUNK])


def upsert(model, fields, items):
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    columns = [*fields, "amount_fen", "n"]
    # On SQLite the statement is written with its own placeholders and run
    # on the driver's connection (as the sales' inserts are): Django would
    # rewrite every %s of a statement of a thousand of them each time.
    sqlite = connection.vendor == "sqlite"
    placeholders = "(" + ", ".join(["?" if sqlite else "%s"] * len(columns)) + ")"
    params = []
    for key, (fen, n) in items:
        params.extend(key)
        params.append(fen)
        params.append(n)
    sql = (
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) VALUES "
        + ", ".join([placeholders] * len(items))
        + f" ON CONFLICT ({', '.join(q(c) for c in fields)}) DO UPDATE SET "
        f"{q('amount_fen')} = {table}.{q('amount_fen')} + excluded.{q('amount_fen')}, "
        f"{q('n')} = {table}.{q('n')} + excluded.{q('n')}"
    )
    if sqlite:
        connection.ensure_connection()
        connection.connection.execute(sql, params)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def upsert_arrays(model, fields, items):
    """The upsert of `upsert` on PostgreSQL, for any number of keys in one
    statement: each column is sent as one array parameter and unnested.

    A statement of a thousand rows of placeholders costs the server a parse
    and plan of a thousand-row VALUES list each time (a big import's totals
    took more time than its rows); arrays are one parameter a column, and
    the statement is the same for every import. The rows are upserted in
    the order given (WITH ORDINALITY … ORDER BY), the sorted order of
    `Deltas.apply`, so two writers still lock rows in one order.
    """
    if not items:
        return
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    names = [*fields, "amount_fen", "n"]
    columns = [model._meta.get_field(f.removesuffix("_id") if f.endswith("_id") else f).column for f in fields]
    columns += ["amount_fen", "n"]
    types = [model._meta.get_field(f.removesuffix("_id") if f.endswith("_id") else f) for f in names]
    types = [field.db_type(connection) for field in types]
    keys = list(zip(*[key for key, _ in items]))
    values = [list(column) for column in keys]
    values.append([fen for _, (fen, _) in items])
    values.append([n for _, (_, n) in items])
    arrays = ", ".join(f"%s::{t}[]" for t in types)
    listed = ", ".join(q(c) for c in columns)
    sql = (
        f"INSERT INTO {table} ({listed}) SELECT {listed} FROM unnest({arrays}) WITH ORDINALITY "
        f"AS u ({listed}, ord) ORDER BY ord ON CONFLICT ({', '.join(q(c) for c in columns[:len(fields)])}) "
        f"DO UPDATE SET {q('amount_fen')} = {table}.{q('amount_fen')} + excluded.{q('amount_fen')}, "
        f"{q('n')} = {table}.{q('n')} + excluded.{q('n')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def expected_from_rows(pairing_ids=None):
    """Return {model: {key: (fen, n)}} computed from the sales themselves."""
    qs = Sale.objects.all()
    if pairing_ids is not None:
        qs = qs.filter(pairing_id__in=pairing_ids)
    deltas = Deltas.from_queryset(qs, sign=1)
    return {model: {k: tuple(v) for k, v in deltas.by_table[model].items() if v[1]} for model, _ in TABLES}


def stored(pairing_ids=None):
    """Return {model: {key: (fen, n)}} as stored, leaving out emptied keys."""
    result = {}
    for model, fields in TABLES:
        qs = model.objects.all()
        if pairing_ids is not None:
            qs = qs.filter(pairing_id__in=pairing_ids)
        result[model] = {tuple(row[:-2]): (row[-2], row[-1])
                         for row in qs.values_list(*fields, "amount_fen", "n") if row[-2] or row[-1]}
    return result


def differences(pairing_ids=None):
    """Return a list of (table, key, stored, expected) where the totals are wrong."""
    want, have = expected_from_rows(pairing_ids), stored(pairing_ids)
    diffs = []
    for model, _ in TABLES:
        for key in sorted(set(want[model]) | set(have[model]), key=lambda k: tuple(str(x) for x in k)):
            w, h = want[model].get(key, (0, 0)), have[model].get(key, (0, 0))
            if w != h:
                diffs.append((model._meta.model_name, key, h, w))
    return diffs


def rebuild(pairing_ids=None):
    """Replace the totals with ones computed from the rows, in one transaction."""
    with transaction.atomic():
        want = expected_from_rows(pairing_ids)
        for model, fields in TABLES:
            qs = model.objects.all()
            if pairing_ids is not None:
                qs = qs.filter(pairing_id__in=pairing_ids)
            qs.delete()
            model.objects.bulk_create(
                [model(**dict(zip(fields, key)), amount_fen=fen, n=n) for key, (fen, n) in want[model].items()],
                batch_size=1000,
            )


def _month_aligned(date_from, date_to):
    import calendar

    ok_from = date_from is None or date_from.day == 1
    ok_to = date_to is None or date_to.day == calendar.monthrange(date_to.year, date_to.month)[1]
    return ok_from and ok_to


def _year_aligned(date_from, date_to):
    return ((date_from is None or (date_from.month, date_from.day) == (1, 1))
            and (date_to is None or (date_to.month, date_to.day) == (12, 31)))


def filtered_total(pairing_id, f):
    """Return (fen, count, source) for the sales of a pairing (or a list of
    pairing ids) under the list
    filters `f` (date_from, date_to, channel, buyer, product, supplier, kind).

    A totals table answers when the filters are among its keys and the date
    range falls on whole months (SaleTotal) or whole years (buyer and product
    totals); otherwise the caller aggregates the rows (source "rows": None)."""
    from django.db.models import Q

    date_from, date_to = f.get("date_from"), f.get("date_to")
    from .listing import pairing_ids

    dims = {k for k in ("buyer", "product", "supplier") if f.get(k)}
    q = Q(pairing_id__in=pairing_ids(pairing_id))
    if f.get("channel"):
        q &= Q(channel_id=f["channel"])
    if f.get("kind"):
        q &= Q(kind=f["kind"])
    if not dims and _month_aligned(date_from, date_to):
        model = SaleTotal
        if date_from:
            q &= Q(year__gt=date_from.year) | Q(year=date_from.year, month__gte=date_from.month)
        if date_to:
            q &= Q(year__lt=date_to.year) | Q(year=date_to.year, month__lte=date_to.month)
    elif dims and _year_aligned(date_from, date_to) and (dims == {"buyer"} or "buyer" not in dims):
        model = BuyerTotal if dims == {"buyer"} else ProductTotal
        if f.get("buyer"):
            q &= Q(buyer_id=f["buyer"])
        if f.get("product"):
            q &= Q(product_id=f["product"])
        if f.get("supplier"):
            q &= Q(product__supplier_id=f["supplier"])
        if date_from:
            q &= Q(year__gte=date_from.year)
        if date_to:
            q &= Q(year__lte=date_to.year)
    else:
        return None
    row = model.objects.filter(q).aggregate(fen=Sum("amount_fen"), n=Sum("n"))
    return row["fen"] or 0, row["n"] or 0, "totals"


def rows_total(qs):
    row = qs.order_by().aggregate(fen=fen_sum(), n=Count("id"))
    return row["fen"] or 0, row["n"] or 0, "rows"
