"""Fast inserts for big imports, and their audit events.

The ORM's bulk_create builds a model instance and prepares every value
through several method calls per cell; at a million rows that is most of the
import. Here rows are plain dicts of attnames, converted with one adapter per
field, and sent with `executemany` (SQLite) or streamed with COPY
(PostgreSQL). Primary keys are allocated up front (under
the write lock on SQLite, from the sequence on PostgreSQL) so the importer
knows the ids it created and can list them in the audit events.
"""

import decimal

from django.db import connections, models, router
from django.utils import timezone

from xiezuo.audit.models import record

_PASS_THROUGH = (models.CharField, models.TextField, models.IntegerField, models.BooleanField,
                 models.ForeignKey, models.BigIntegerField, models.SmallIntegerField,
                 models.PositiveIntegerField, models.PositiveSmallIntegerField)


def _converter(field, connection):
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        md, dp = field.max_digits, field.decimal_places

        def decimal_value(value):
            if value is None:
                return None
            if not isinstance(value, decimal.Decimal):
                value = decimal.Decimal(value)
            return ops.adapt_decimalfield_value(value, md, dp)

        return decimal_value
    if isinstance(field, _PASS_THROUGH):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


# The sequence is looked up once (a function in FROM), not once per id as
# `nextval(pg_get_serial_sequence(...))` in the select list would: that
# catalog lookup cost ten times the nextval itself (2.7 s against 0.3 s for
# 200,000 ids).
NEXT_IDS_SQL = ("SELECT nextval(seq) FROM CAST(pg_get_serial_sequence(%s, %s) AS regclass) AS seq, "
                "generate_series(1, %s)")


def allocate_ids(model, count, connection):
    """Return `count` fresh primary keys for `model`.

    Must run inside the importing transaction: on SQLite that transaction
    holds the write lock (IMMEDIATE), so nobody else can take these ids.
    """
    if count == 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(NEXT_IDS_SQL, [table, pk, count])
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT COALESCE(MAX({qn(pk)}), 0) FROM {qn(table)}")
            top = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(top, row[0] if row else 0) + 1
            return list(range(start, start + count))
    raise NotImplementedError(connection.vendor)


class FastInserter:
    """Insert dict rows of one model with executemany; reuse across batches."""

    def __init__(self, model):
        self.model = model
        self.connection = connections[router.db_for_write(model)]
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        now = timezone.now()
        self.defaults = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now.date() if type(f) is models.DateField else now
            else:
                self.defaults[f.attname] = f.get_default()
        self.converters = [(f.attname, _converter(f, self.connection)) for f in self.fields]
        self.build = self._builder()
        qn = self.connection.ops.quote_name
        cols = ", ".join(qn(c) for c in [model._meta.pk.column] + [f.column for f in self.fields])
        marks = ", ".join(["%s"] * (len(self.fields) + 1))
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({cols}) VALUES ({marks})"
        self.copy_sql = f"COPY {qn(model._meta.db_table)} ({cols}) FROM STDIN"

    def _builder(self):
        """Return build(pk, row) → the parameter tuple, as one generated
        function: a loop over the fields per row costs more than the insert.

        Only attnames of the model's own fields (Python identifiers) and
        positional names go into the generated source; values never do.
        """
        env, parts = {}, []
        for i, (attname, convert) in enumerate(self.converters):
            env[f"d{i}"] = self.defaults[attname]
            value = f"get({attname!r}, d{i})"
            if convert is None:
                parts.append(value)
            else:
                env[f"c{i}"] = convert
                parts.append(f"(c{i}(v) if (v := {value}) is not None else None)")
        source = "def build(pk, row):\n    get = row.get\n    return (pk, " + ", ".join(parts) + ")\n"
        exec(compile(source, f"<insert {self.model._meta.label}>", "exec"), env)  # noqa: S102  (see docstring)
        return env["build"]

    def insert(self, rows):
        """Insert the rows (dicts of attnames; missing ones take the field
        default) and return their new ids in order."""
        ids = allocate_ids(self.model, len(rows), self.connection)
        build = self.build
        if self.connection.vendor == "postgresql":
            # COPY: the rows streamed in one statement, parsed by the server
            # in bulk, at a fraction of the cost of one INSERT each; in the
            # importing transaction, on the driver's connection.
            with self.connection.connection.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
                write = copy.write_row
                for pk, row in zip(ids, rows):
                    write(build(pk, row))
            return ids
        params = [build(pk, row) for pk, row in zip(ids, rows)]
        with self.connection.cursor() as cursor:
            cursor.executemany(self.sql, params)
        return ids


def id_ranges(ids):
    """Compress sorted ids into [[first, last], ...] for an audit event."""
    ranges = []
    for pk in sorted(ids):
        if ranges and ranges[-1][1] == pk - 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    return ranges


def record_batch(model, ids, *, pairing_id, ledger, filename, digest, first_row, last_row):
    """Append one audit event for a batch of created rows, listing their ids."""
    return record(
        "import",
        model=model._meta.label,
        pairing_id=pairing_id,
        summary=f"导入{ledger}：新增{len(ids)}条（{filename}）"[:500],
        after={"ledger": ledger, "file": filename, "sha256": digest, "count": len(ids),
               "rows": [first_row, last_row], "ids": id_ranges(ids)},
    )


class DeferredIndexes:
    """Drop a table's secondary indexes during a big import on SQLite and
    build them again before it commits.

    Keeping five composite indexes up to date row by row costs SQLite about
    35 µs a row at a million rows (random inserts into five B-trees larger
    than its page cache), against 2 µs for the row itself and about 3.5 µs a
    row to build the same indexes once, sorted, at the end. The drop happens
    inside the import's transaction: in WAL mode readers keep seeing the
    committed schema and rows until the commit, a failed or killed import
    rolls the drop back with everything else, and the indexes are re-created
    from the exact SQL SQLite stored for them.

    Only for imports big against the table (`worth_it`): rebuilding an index
    reads the whole table. Never on PostgreSQL, where DROP INDEX would lock
    out every reader of the table until the import commits.
    """

    MIN_ROWS = 50_000

    def __init__(self, model):
        self.model = model
        self.connection = connections[router.db_for_write(model)]
        self.dropped = []  # (name, sql)
        self.decided = False

    def worth_it(self, expected_rows):
        if self.connection.vendor != "sqlite" or expected_rows < self.MIN_ROWS:
            return False
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self.connection.ops.quote_name(self.model._meta.db_table)}")
            stored = cursor.fetchone()[0]
        return expected_rows * 2 >= stored

    def consider(self, expected_rows):
        """Drop the indexes the first time the import looks big enough."""
        if self.decided:
            return
        self.decided = True
        if not self.worth_it(expected_rows):
            return
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                           "AND sql IS NOT NULL ORDER BY name", [self.model._meta.db_table])
            # Unique indexes (a ledger's natural key) go too: re-creating one
            # at the end checks every row, inside the same write-locked
            # transaction, so a duplicate still fails the import before it
            # commits — at the cost of one sorted build, not a B-tree insert
            # per row.
            self.dropped = cursor.fetchall()
            for name, _ in self.dropped:
                cursor.execute(f"DROP INDEX {self.connection.ops.quote_name(name)}")

    def restore(self):
        """Build the dropped indexes again (inside the same transaction)."""
        if not self.dropped:
            return
        with self.connection.cursor() as cursor:
            for _, sql in self.dropped:
                cursor.execute(sql)  # a duplicate raises IntegrityError: the import rolls back
        self.dropped = []
