"""Work that spans several models: bulk loading sales, registering suppliers."""

import datetime
import hashlib
import itertools
import sqlite3
import threading
from decimal import Decimal
from operator import attrgetter, itemgetter, methodcaller

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from xiezuo.audit.models import record
from xiezuo.ledgers.bulk import allocate_ids
from xiezuo.pairings.models import Organisation

from .models import Buyer, Channel, Product, Sale, Supplier, lineage_ids
from .totals import Deltas, to_fen

AUDIT_FIELDS = ("id", "pairing_id", "date", "buyer_id", "supplier_id", "product_id", "channel_id", "kind",
                "quantity", "unit_price", "amount", "voucher_no")


def batch_digest(columns):
    """SHA-256 of a batch of sales given as {AUDIT_FIELDS name: values}.

    Canonical form: each value as str() (dates ISO, amounts with their two
    decimals), the fields of a row joined by U+001F, the rows by U+001E — no
    text from a workbook or a form can hold those two control characters. An
    auditor recomputes it from the stored rows of the event's id range.
    Built column by column so a million rows cost C loops, not Python ones.
    """
    rows = zip(*[map(str, columns[f]) for f in AUDIT_FIELDS])
    return hashlib.sha256("\x1e".join(map("\x1f".join, rows)).encode()).hexdigest()


def _batch_digest(sales):
    return batch_digest({f: [getattr(s, f) for s in sales] for f in AUDIT_FIELDS})


def _reference_ids(pairing_ids):
    """Ids of buyers, products (→ supplier), suppliers and channels each pairing may use."""
    refs = {}
    for pid, lineage in pairing_ids.items():
        refs[pid] = {
            "buyer": set(Buyer.objects.filter(pairing_id__in=lineage).values_list("id", flat=True)),
            "product": dict(Product.objects.filter(pairing_id__in=lineage).values_list("id", "supplier_id")),
            "channel": set(Channel.objects.filter(Q(pairing__isnull=True) | Q(pairing_id__in=lineage))
                           .values_list("id", flat=True)),
        }
    return refs


# Quantity and unit price are optional: an amount-only ledger row has neither.
REQUIRED = ("date", "buyer_id", "product_id", "channel_id", "amount")


def _validate(sales, first_row):
    from xiezuo.pairings.models import Pairing

    pids = {s.pairing_id for s in sales}
    lineages = {p.pk: lineage_ids(p) for p in Pairing.objects.filter(pk__in=pids)}
    refs = _reference_ids(lineages)
    for i, sale in enumerate(sales, start=first_row):
        if sale.pairing_id not in refs:
            raise ValidationError(_("第%(i)s行：结对关系不存在") % {"i": i})
        ref = refs[sale.pairing_id]
        missing = [f for f in REQUIRED if getattr(sale, f) is None]
        if missing:
            label = Sale._meta.get_field(missing[0].removesuffix("_id")).verbose_name
            raise ValidationError(_("第%(i)s行，%(label)s：不能为空") % {"i": i, "label": label})
        errors = dict(sale.row_errors())
        if sale.buyer_id not in ref["buyer"]:
            errors["buyer"] = _("采购单位不属于本结对")
        if sale.product_id not in ref["product"]:
            errors["product"] = _("产品不属于本结对")
        elif sale.supplier_id != ref["product"][sale.product_id]:
            errors["supplier"] = _("供应商与产品所属供应商不一致")
        if sale.channel_id not in ref["channel"]:
            errors["channel"] = _("销售渠道不属于本结对")
        if sale.kind not in (Sale.PURCHASED, Sale.HELPED):
            errors["kind"] = _("类型应为直接采购或帮助销售")
        if errors:
            field, message = next(iter(errors.items()))
            label = Sale._meta.get_field(field).verbose_name
            raise ValidationError(_("第%(i)s行，%(label)s：%(message)s") % {"i": i, "label": label, "message": message})


def bulk_create_sales(sales, *, batch_size=5000, validate=True, summary="批量导入消费帮扶销售", first_row=1):
    """Insert many sales and update the totals once per batch.

    `sales` is any iterable of unsaved `Sale` instances (pairing_id, date,
    buyer_id, product_id, channel_id, kind, and the amount or quantity and
    unit price set; supplier_id may be left for the product, and whichever of
    amount, quantity and price the other two determine is filled in as
    `models.complete_amounts` says). A sale without a voucher number and
    without `repeat_no` gets the next place among its identical ones
    (`RepeatNumbered`), after the stored ones, in the order given.
    Everything runs in ONE transaction: all rows, their totals and their audit
    events commit together or not at all. Per batch: one multi-row INSERT of
    the sales, one upsert per totals table, one audit event (`import`) that
    names the batch's id range, count, sum and a SHA-256 digest of the rows.
    With `validate=True` each row is checked without per-row queries (amount
    tolerance, positive quantity, references belonging to the pairing); the
    first bad row raises ValidationError naming the row (counted from
    `first_row`) and the field. Returns the number of rows inserted.
    """
    count = 0
    with transaction.atomic():
        batch = []
        for sale in sales:
            batch.append(sale)
            if len(batch) >= batch_size:
                count += _insert_batch(batch, validate, summary, first_row + count)
                batch = []
        if batch:
            count += _insert_batch(batch, validate, summary, first_row + count)
    return count


def _insert_batch(batch, validate, summary, first_row):
    product_supplier = {}
    missing = {s.product_id for s in batch if not s.supplier_id}
    if missing:
        product_supplier = dict(Product.objects.filter(pk__in=missing).values_list("id", "supplier_id"))
    for sale in batch:
        if not sale.supplier_id:
            sale.supplier_id = product_supplier.get(sale.product_id)
        sale.set_derived()
    _number_repeats(batch)
    if validate:
        _validate(batch, first_row)
    _insert_instances(batch)
    # The totals from the rows' own attributes, column by column (no model
    # attribute lookup per field and row).
    data = list(map(vars, batch))
    deltas = Deltas()
    deltas.add_columns({f: list(map(itemgetter(f), data)) for f in Deltas.ROW_FIELDS if f != "amount"},
                       list(map(to_fen, map(itemgetter("amount"), data))))
    deltas.apply()
    for pid in sorted({s.pairing_id for s in batch}):
        rows = [s for s in batch if s.pairing_id == pid]
        record("import", model=Sale._meta.label, pairing_id=pid,
               summary=f"{summary}：{len(rows)}条",
               after={"count": len(rows), "amount_fen": sum(to_fen(s.amount) for s in rows),
                      "first_id": min(s.pk for s in rows), "last_id": max(s.pk for s in rows),
                      "sha256": _batch_digest(rows)})
    return len(batch)


def _number_repeats(batch):
    """Give each sale without a voucher number and without a place the next
    place of its group (Sale.repeat_key): after the stored ones and the ones
    of the batch that have theirs, in batch order. One query per batch."""
    todo = [s for s in batch if not s.voucher_no and s.repeat_no is None]
    if not todo:
        return
    group_of = attrgetter(*Sale.repeat_key)
    groups = {group_of(s) for s in todo}
    pairing_ids, days, buyer_ids, product_ids, _ = map(set, zip(*groups))
    top = dict.fromkeys(groups, 0)
    stored = (Sale.objects.filter(voucher_no="", pairing_id__in=pairing_ids, date__in=days, buyer_id__in=buyer_ids,
                                  product_id__in=product_ids).order_by()
              .values_list(*Sale.repeat_key).annotate(top=Max("repeat_no")))
    for *group, place in stored:
        if tuple(group) in top:
            top[tuple(group)] = max(top[tuple(group)], place or 0)
    for sale in batch:
        if not sale.voucher_no and sale.repeat_no is not None and group_of(sale) in top:
            top[group_of(sale)] = max(top[group_of(sale)], sale.repeat_no)
    for sale in todo:
        group = group_of(sale)
        top[group] += 1
        sale.repeat_no = top[group]


def insert_sale_columns(pairing_id, columns, count, *, summary="批量导入消费帮扶销售", deltas=None, source=None,
                        behind=None):
    """Insert `count` checked sales of one pairing given as columns; return their ids.

    `columns` maps Sale attnames to lists of values (date, buyer_id,
    supplier_id, product_id, channel_id, kind, quantity, unit_price and
    amount, the first two of which may hold None; voucher_no, repeat_no and
    note optional), already checked like
    `_validate` does — the ledger importer checks every row before. The
    same writes as `bulk_create_sales`, in the caller's transaction: the
    rows, their totals and one audit event (id range, count, sum in fen, and
    the SHA-256 of the rows — or, with `source`, the caller's own record of
    where they came from, such as the imported file's digest and rows).

    With `deltas` (a totals.Deltas) the totals are added to it and the
    caller applies it once for many calls (a big import); without, they are
    applied here.

    With `behind` (an open CopyBehind, PostgreSQL) the rows are not written
    before this returns: their COPY runs in a thread while the caller reads
    the next rows, and its end (or its error) is waited for before the
    connection's next statement. The ids, the totals and the audit event are
    settled here as without it.
    """
    if not count:
        return []
    behind = behind if behind is not None and behind.active else None
    if behind is not None:
        behind.wait()  # before the savepoint below: the connection is free
    with transaction.atomic():
        dates = columns["date"]
        # Values as the database gets them (and the digest reads them).
        text = {f: _each(_text, columns[f]) for f in ("quantity", "unit_price", "amount")}
        days = {day: day.isoformat() for day in set(dates)}  # a ledger repeats its dates
        text["date"] = list(map(days.__getitem__, dates))
        vouchers = columns.get("voucher_no") or [""] * count
        years, months = list(map(attrgetter("year"), dates)), list(map(attrgetter("month"), dates))
        row_columns = _row_columns(pairing_id, columns, text, vouchers, years, months)
        if behind is None:
            ids = _insert_columns(row_columns, count)
        else:
            ids = allocate_ids(Sale, count, connection)
        # Amounts are quantized to the cent, so "12.50" → 1250 fen exactly.
        fens = list(map(int, map(methodcaller("replace", ".", ""), text["amount"])))
        own = deltas is None
        deltas = Deltas() if own else deltas
        deltas.add_columns({**columns, "pairing_id": [pairing_id] * count, "year": years,
                            "month": months}, fens)
        if own:
            deltas.apply()
        if source is None:
            source = {"sha256": batch_digest({**columns, **text, "id": ids, "voucher_no": vouchers,
                                              "pairing_id": itertools.repeat(str(pairing_id), count)})}
        record("import", model=Sale._meta.label, pairing_id=pairing_id, summary=f"{summary}：{count}条",
               after={"count": count, "amount_fen": sum(fens), "first_id": min(ids), "last_id": max(ids),
                      **source})
    if behind is not None:
        # After the savepoint's release: from here until its end the COPY
        # has the connection.
        behind.start(_copy_sql(), _copy_rows(ids, row_columns, count))
    return list(ids)


def _text(value):
    """A Decimal as the database gets it; an empty quantity or price stays NULL."""
    return None if value is None else str(value)


def _each(fn, values):
    """[fn(v) for v in values], with fn called once per distinct object when
    the values repeat objects, as the importer's columns do (it converts each
    distinct price and quantity once); otherwise the plain map (a sample of
    the values tells)."""
    sample = values[:500]
    if len(set(map(id, sample))) * 2 > len(sample):
        return list(map(fn, values))
    distinct = dict(zip(map(id, values), values))
    done = {key: fn(value) for key, value in distinct.items()}
    return list(map(done.__getitem__, map(id, values)))


def _row_columns(pairing_id, columns, text, vouchers, years, months):
    """The columns of INSERT_FIELDS, as the database gets them."""
    return [Same(pairing_id), text["date"], years, months, columns["buyer_id"], columns["supplier_id"],
            columns["product_id"], columns["channel_id"], columns["kind"], text["quantity"], text["unit_price"],
            text["amount"], vouchers, columns.get("repeat_no") or Same(None), Same(""),
            columns.get("note") or Same(""), Same(False), Same(1)]


INSERT_FIELDS = ("pairing_id", "date", "year", "month", "buyer_id", "supplier_id", "product_id", "channel_id", "kind",
                 "quantity", "unit_price", "amount", "voucher_no", "repeat_no", "voucher", "note", "is_demo",
                 "version")


def _db_value(value):
    if isinstance(value, (Decimal, datetime.date)):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value


class Same:
    """A column with one value in every row."""

    def __init__(self, value):
        self.value = value


ROWS_PER_INSERT = 500


def _insert_columns(values, count):
    """Insert `count` rows given as columns (INSERT_FIELDS order: each a
    sequence of database values or a Same) and return their ids."""
    if connection.vendor == "postgresql":
        return _copy_columns(values, count)
    return _insert_sqlite_columns(values, count)


def _copy_columns(values, count):
    """Insert the rows on PostgreSQL with COPY … FROM STDIN; return their ids.

    COPY streams the rows in one statement, parsed by the server in bulk:
    about a tenth of the cost of the same rows as INSERTs (a parse, a plan
    and a round trip per statement). It runs on the driver's connection, in
    our transaction. The ids are drawn from the table's sequence first (one
    query), so they are known without RETURNING, which COPY lacks; drawn
    from the sequence, no other writer can be given one of them.
    """
    connection.ensure_connection()
    ids = allocate_ids(Sale, count, connection)
    with connection.wrap_database_errors, connection.connection.cursor() as cursor, \
            cursor.copy(_copy_sql()) as copy:
        write = copy.write_row
        for row in _copy_rows(ids, values, count):
            write(row)
    return ids


def _copy_sql():
    q = connection.ops.quote_name
    pk = Sale._meta.pk.column
    columns = [pk] + [Sale._meta.get_field(f.removesuffix("_id") if f.endswith("_id") else f).column
                      for f in INSERT_FIELDS]
    return f"COPY {q(Sale._meta.db_table)} ({', '.join(q(c) for c in columns)}) FROM STDIN"


def _copy_rows(ids, values, count):
    """The rows of a COPY: (id, *INSERT_FIELDS values) tuples."""
    return zip(ids, *[itertools.repeat(v.value, count) if isinstance(v, Same) else v for v in values])


class CopyBehind:
    """Sales COPYs run in a thread while the importer reads on (PostgreSQL).

    Waiting for each batch's COPY would add the server's work to the
    client's: the server inserts the rows, keeps the table's eight indexes
    and checks five foreign keys per row while the client, waiting, does
    nothing; then the client reads and checks the next rows while the server
    does nothing. Here a batch's COPY (sending the rows, the server's work,
    its result) runs in a thread on the import's own connection, inside its
    transaction, while the importer reads the next batch; the next statement
    on the connection — the next batch's, the totals', any other query —
    first waits for it to end (`wait`, run by an execute wrapper before any
    query, so no caller can interleave with a running COPY) and raises its
    error, if any, as Django's (IntegrityError for a duplicate key: the
    import is refused whole). The commit or rollback comes after `close`,
    which waits too.

    The foreign keys of the sales table are deferred (Django's constraints
    are DEFERRABLE INITIALLY DEFERRED): their checks would all wait for the
    commit, when nothing overlaps them. `open` makes those five checks
    IMMEDIATE for the transaction (SET CONSTRAINTS: no privilege, no lock),
    so each batch's checks run at the end of its COPY, behind the reading of
    the next batch; `close` sets them back to DEFERRED. Rows are checked the
    same, only sooner.

    Use: `open()` inside the transaction, pass it as `behind=` to
    `insert_sale_columns`, and `close()` before the transaction ends, also
    when the import fails (the connection cannot roll back under a running
    COPY). On SQLite `active` is False and nothing runs behind.
    """

    def __init__(self):
        self.active = False
        self.thread = None
        self.error = None
        self.deferred = []

    def open(self):
        if connection.vendor != "postgresql":
            return self
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
                           "AND condeferred ORDER BY conname", [Sale._meta.db_table])
            self.deferred = [name for (name,) in cursor.fetchall()]
            if self.deferred:
                names = ", ".join(connection.ops.quote_name(n) for n in self.deferred)
                cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
        connection.execute_wrappers.append(self._guard)
        self.active = True
        return self

    def start(self, sql, rows):
        """Run COPY `sql` of `rows` in a thread (after the previous one)."""
        self.wait()
        raw = connection.connection

        def run():
            try:
                with raw.cursor() as cursor, cursor.copy(sql) as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row)
            except BaseException as e:  # handed to the thread that waits
                self.error = e

        self.thread = threading.Thread(target=run, name="sales-copy", daemon=True)
        self.thread.start()

    def wait(self):
        """Wait for the running COPY to end; raise its error."""
        if self.thread is None:
            return
        self.thread.join()
        self.thread = None
        error, self.error = self.error, None
        if error is not None:
            with connection.wrap_database_errors:
                raise error

    def close(self, ok=True):
        """Wait for the last COPY (raising its error when `ok`, else
        dropping it: the import is failing already) and leave the
        connection as it was (the keys deferred again, unless the
        transaction has failed and can only be rolled back)."""
        if not self.active:
            return
        from psycopg.pq import TransactionStatus  # active: on PostgreSQL

        try:
            self.wait()
        except Exception:
            if ok:
                raise
        finally:
            self.active = False
            connection.execute_wrappers.remove(self._guard)
        if self.deferred and connection.connection.info.transaction_status == TransactionStatus.INTRANS:
            with connection.cursor() as cursor:
                names = ", ".join(connection.ops.quote_name(n) for n in self.deferred)
                cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")

    def _guard(self, execute, sql, params, many, context):
        self.wait()
        return execute(sql, params, many, context)


def _insert_sqlite_columns(values, count):
    """Insert `count` rows given as columns on SQLite and return their ids.

    Rows go ROWS_PER_INSERT to one multi-row INSERT: each run of a statement
    also costs its start-up, the AUTOINCREMENT counter's read and write and
    the foreign-key bookkeeping, which one statement per row (as executemany
    does) pays a million times. A statement's parameters are laid out by
    slice assignment, column by column, with no tuple per row. Inside our
    transaction SQLite holds the database write lock (IMMEDIATE
    transactions), so no other writer can interleave and the ids are
    consecutive up to last_insert_rowid()."""
    q = connection.ops.quote_name
    columns = [Sale._meta.get_field(f.removesuffix("_id") if f.endswith("_id") else f).column for f in INSERT_FIELDS]
    width = len(columns)
    head = f"INSERT INTO {q(Sale._meta.db_table)} ({', '.join(q(c) for c in columns)}) VALUES "
    one = f"({', '.join(['?'] * width)})"
    connection.ensure_connection()
    # The statements are written with SQLite's own placeholders and run on
    # the driver's connection: Django would rewrite %s to ? in every
    # statement, a cost of the statement's length each time.
    db = connection.connection
    per = max(1, min(ROWS_PER_INSERT, db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
    same = {k for k, v in enumerate(values) if isinstance(v, Same)}
    values = [[v.value] * per if k in same else v for k, v in enumerate(values)]
    params, sql = None, None
    for start in range(0, count, per):
        size = min(per, count - start)
        if params is None or size != len(params) // width:
            params, sql = [None] * (size * width), head + ", ".join([one] * size)
        for k, column in enumerate(values):
            params[k::width] = column[:size] if k in same else column[start:start + size]
        with connection.wrap_database_errors:  # a duplicate key: Django's IntegrityError, as the ORM raises
            db.execute(sql, params)
    last = db.execute("SELECT last_insert_rowid()").fetchone()[0]
    return range(last - count + 1, last + 1)


def _insert_instances(batch):
    """Insert a batch of Sale instances through `_insert_columns` and give
    them their ids.

    Django's bulk_create on SQLite is held to 999 parameters per statement
    (about 60 sales), which makes a million-row import spend its time
    compiling SQL; on PostgreSQL COPY is several times faster than its
    INSERTs."""
    data = list(map(vars, batch))
    columns = []
    for f in INSERT_FIELDS:
        values = map(itemgetter(f), data)
        if f == "voucher":  # a name, or the field's file once it was read
            columns.append([v if isinstance(v, str) else (v.name or "") for v in values])
        else:
            columns.append(list(map(_db_value, values)))
    ids = _insert_columns(columns, len(batch))
    for pk, sale in zip(ids, batch):
        sale.pk = pk
        sale._state.adding = False
        sale._state.db = connection.alias


def register_supplier(pairing, *, name, kind, region, uscc=None, is_demo=False, **extra):
    """Find or create the producer as an Organisation and register it as a
    supplier of the pairing (checked: kind and western region)."""
    with transaction.atomic():
        org = Organisation.objects.filter(name=name, region=region).first()
        if org is None:
            org = Organisation(name=name, kind=kind, region=region, uscc=uscc, is_demo=is_demo)
            org.full_clean()
            org.save()
        supplier = Supplier(pairing=pairing, organisation=org, is_demo=is_demo, **extra)
        supplier.full_clean()
        supplier.save()
    return supplier


def share832_report(pairing, year):
    """Return the 832 reserved-share report of the pairing's budget units for a year.

    The rule (人民日报 2021-05-11; 中新社 2024-01-08; docs/modules/rules.md):
    budget units reserve at least 10% (15% encouraged) of their canteen food
    purchases for products of the 脱贫地区, bought on the 832 platform, and
    declare the reserved share by 20 February. So the share counts the
    unit's direct purchases (`purchased`) on channels of kind `p832` of
    products whose origin county (`Product.origin_region`, else the
    supplier's region) is one of the 832 脱贫县 — any of them, not only the
    pairing's own county. Purchases of products from other counties are
    shown beside it and not counted.

    Each row: buyer, canteen budget, declared reserved amount and share,
    declaration date and whether it was late, counted and not counted
    purchases, share in percent, and status `no_budget`, `below` (under the
    line), `met` or `encouraged`. The sales are read by buyer and date range
    (the buyer index): the totals tables carry no product × buyer key.
    """
    from xiezuo.pairings.models import Region

    from .models import CanteenBudget, ShareSetting
    from .totals import fen_sum

    setting = ShareSetting.for_pairing(pairing)
    buyers = list(Buyer.objects.filter(pairing=pairing, is_budget_unit=True))
    budgets = {b.buyer_id: b for b in CanteenBudget.objects.filter(buyer__in=buyers, year=year)}
    cells = list(Sale.objects.filter(pairing_id__in=pairing.subtree().values("pk"), buyer__in=buyers,
                                     date__gte=datetime.date(year, 1, 1), date__lt=datetime.date(year + 1, 1, 1),
                                     kind=Sale.PURCHASED, channel__kind=Channel.P832)
                 .values_list("buyer", "product__origin_region", "product__supplier__organisation__region")
                 .annotate(fen=fen_sum()).order_by())
    poor = Region.within_832({origin or registered for _, origin, registered, _ in cells})
    counted, other = {}, {}
    for buyer_id, origin, registered, fen in cells:
        into = counted if (origin or registered) in poor else other
        into[buyer_id] = into.get(buyer_id, 0) + (fen or 0)
    rows = []
    for buyer in buyers:
        budget = budgets.get(buyer.pk)
        amount = Decimal(counted.get(buyer.pk, 0)) / 100
        total = budget.amount if budget else None
        share = (amount * 100 / total).quantize(Decimal("0.01")) if total else None
        if share is None:
            status = "no_budget"
        elif share < setting.line:
            status = "below"
        elif share < setting.encouraged:
            status = "met"
        else:
            status = "encouraged"
        rows.append({
            "buyer": buyer, "budget": total, "amount": amount, "amount_other": Decimal(other.get(buyer.pk, 0)) / 100,
            "share": share, "status": status,
            "reserved": budget.reserved_amount if budget else None,
            "reserved_share": budget.reserved_share if budget else None,
            "declared_on": budget.declared_on if budget else None,
            "declared_late": budget.declared_late if budget else False,
        })
    rows.sort(key=lambda r: (r["share"] is None, r["share"] or 0, r["buyer"].name))
    with_budget = [r for r in rows if r["budget"] is not None]
    return {"year": year, "line": setting.line, "encouraged": setting.encouraged, "setting": setting, "rows": rows,
            "deadline": CanteenBudget.deadline(year),
            "below": [r for r in rows if r["status"] == "below"],
            "no_budget": [r for r in rows if r["status"] == "no_budget"],
            "late": [r for r in with_budget if r["declared_late"]],
            "undeclared": [r for r in with_budget if r["declared_on"] is None]}
