"""The declarative description of a ledger, and the registry of ledgers.

A spec says which model a ledger fills, its columns (Chinese header,
synonyms, required flag, parser), its natural key for update mode, how a row
becomes a model row and how existing rows are exported in the same layout.
Specs live in `xiezuo/ledgers/specs/<name>.py`; `SPECS` maps the command-line
name (funds, projects, …) to an instance.
"""

import copy
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.utils import translation
from django.core.exceptions import ValidationError
from django.db.models.base import ModelState

from xiezuo.accounts.scope import scope_for

from .bulk import FastInserter

SPECS = {}


def register(cls):
    SPECS[cls.name] = cls()
    return cls


def get_spec(name):
    """Return a spec of its own for one import or export (see `fresh`), or None."""
    from . import specs  # noqa: F401  registers every spec

    spec = SPECS.get(name)
    return spec.fresh() if spec is not None else None


def all_specs():
    """Return {name: spec} of the registered ledgers, to list them; an import
    or export takes its own copy through `get_spec`."""
    from . import specs  # noqa: F401

    return SPECS


@dataclass
class Context:
    """What one import or export runs against, and as whom.

    Every lookup an import or export makes (people, projects, enterprises,
    suppliers, products, buyers, organisations) goes through `scope`, the
    acting user's: a file can name only what its uploader may read.
    """

    pairing: object
    user: object
    extra: dict = field(default_factory=dict)
    # An export of one year's rows (the working year), or None for every year.
    year: object = None

    @cached_property
    def scope(self):
        return scope_for(self.user)


FALLBACK = "fallback-key"  # first item of a fallback key: never equal to a full key


@dataclass(frozen=True)
class FallbackKey:
    """How rows are known when the optional column of the natural key is blank.

    A natural key that ends in an optional number (凭证号, 文号, 票据号) cannot
    tell apart the rows that leave it blank — or a whole file without that
    column. Those rows are known instead by `key` (attnames: for sales date,
    buyer, product and amount) and their place among the identical rows of
    their file (the 1st, 2nd, … such row), which the importer gives each row
    in `seq` (the model's `repeat_no`, see pairings.owned.RepeatNumbered). So
    importing the same file again finds every row stored and adds nothing,
    while two identical rows of one file are both kept; the model's unique
    constraint over `key` + `seq` holds it against concurrent writers.
    """

    when: str  # attname of the key's optional column
    key: tuple  # attnames telling apart the rows without it
    note: str  # how the fallback is explained to users
    seq: str = "repeat_no"


def model_checker(model, defaults):
    """Return check(values, current) → {field: message} running `model.clean()`.

    The instance is made without Model.__init__ (a tenth of the cost, and
    `clean` reads plain attributes only) and holds the field defaults,
    `defaults`, the stored values (`current`, a dict) and the row's values.
    """
    base = {f.attname: f.get_default() for f in model._meta.concrete_fields}
    base.update(defaults)

    def check(values, current=None):
        instance = model.__new__(model)
        data = instance.__dict__
        data.update(base)
        if current:
            data.update(current)
            data.pop("pk", None)
        data.update(values)
        instance._state = ModelState()
        try:
            instance.clean()
        except ValidationError as e:
            return {k: "；".join(v) for k, v in e.message_dict.items()}
        return None

    return check


class LedgerSpec:
    name = ""  # command-line name
    title = ""  # 资金到位台账
    sheet = ""  # sheet name in templates and exports
    model = None
    columns = []
    key = ()  # attnames of the natural key
    key_note = ""  # how the natural key is explained to users
    fallback = None  # FallbackKey: the key of rows whose optional key column is blank or absent
    batch_size = 5000
    import_perm = "write"
    audits_batches = False  # True when `insert` records the batch's audit event itself  # the permission an import needs on the pairing
    track = ()  # attnames whose values of written rows `finish` receives (e.g. the year)
    defer_indexes = True  # a big import on SQLite rebuilds the table's indexes once (bulk.DeferredIndexes)
    # insert_columns(ctx, {attname: values}, count) → ids: new rows given as
    # columns (see `batch_checker`); None: they are inserted as dicts.
    insert_columns = None

    def fresh(self):
        """Return a copy with copies of the columns.

        `prepare` keeps an import's lookup maps on the spec and its columns;
        two imports at once (background threads of one web process) must not
        see each other's — each works on its own copy."""
        clone = copy.copy(self)
        clone.columns = [copy.copy(col) for col in self.columns]
        return clone

    def column(self, field_name):
        for col in self.columns:
            if field_name in (col.field, col.attname):
                return col
        return None

    def key_columns(self):
        return [self.column(k) for k in self.key]

    def prepare(self, ctx):
        """Load lookup maps once per import or export."""
        for col in self.columns:
            col.prepare(ctx)

    def begin(self, ctx):
        """Prepare the writes, inside the import's transaction (take locks)."""

    def finish(self, ctx, touched):
        """Check rules spanning rows after every write, inside the transaction.

        `touched` holds the `track` values of the rows written. Raise
        ValidationError to refuse the whole import; return notices to show.
        """
        return []

    def end(self, ctx):
        """Release what `begin` set up, whether the import went through or
        not: called last, inside the transaction, before its commit or
        rollback."""

    def queryset(self, ctx):
        """Return the rows of this ledger that belong to the pairing, as the user may read them."""
        return ctx.scope.filter(self.model.objects.filter(pairing=ctx.pairing))

    # The lookup giving a row's year, for a model with neither a `year`
    # field nor a years method of its own (disbursements: their project's).
    year_path = None

    def of_year(self, queryset, year):
        """Return the rows of one year, as the ledger's list page filters
        them: `year_path`, else the `year` field, else the model's own
        years method (jobs in the year, stays begun in it …). Reference data
        (buyers, suppliers, products) has no year: all of it."""
        if self.year_path:
            return queryset.filter(**{self.year_path: year})
        if any(f.name == "year" for f in self.model._meta.concrete_fields):
            return queryset.filter(year=year)
        for method in ("in_years", "started_in", "landed_in"):
            if hasattr(queryset, method):
                return getattr(queryset, method)([year])
        return queryset

    def export_queryset(self, ctx):
        """The rows an export writes: the year's when the context has one."""
        qs = self.queryset(ctx)
        return self.of_year(qs, ctx.year) if ctx.year else qs

    def defaults(self, ctx):
        """Return field values every new row gets (the pairing)."""
        return {"pairing_id": ctx.pairing.pk}

    def key_of(self, values):
        return tuple(values.get(k) for k in self.key)

    # complete_key(values): fill in place, before a row's natural key is
    # taken, key values that follow from its other cells (sales: the channel
    # a blank 销售渠道 stands for, the amount of quantity × price). None: no
    # such step. Row path only: the column path takes its keys after the
    # spec's `batch_checker`, which completes whole columns the same way.
    complete_key = None

    def key_names(self, key):
        """Return the attnames a key tuple (as the importer builds it) is made of."""
        if key and key[0] == FALLBACK and self.fallback is not None:
            return ("", *self.fallback.key, self.fallback.seq)
        return self.key

    def existing(self, ctx, attnames=None):
        """Return {hash of natural key: stored row} of the pairing's rows.

        With `attnames` (update mode) the stored row is a dict of those
        values and its pk; without (append mode) only the pk, which keeps a
        big ledger's memory small. Rows whose optional key column is blank
        are keyed by the fallback key (`FallbackKey`), as the importer keys
        such rows of a file.
        """
        result = {}
        fb = self.fallback
        parts = [(self.queryset(ctx), self.key, ())]
        if fb is not None:
            blank = {fb.when: ""}
            parts = [(self.queryset(ctx).exclude(**blank), self.key, ()),
                     (self.queryset(ctx).filter(**blank), (*fb.key, fb.seq), (FALLBACK,))]
        # Not compared, but part of the preview's basis (importer.Result.basis):
        # an edit of a column the sheet leaves out changes the version too.
        versioned = {"version"} if any(f.attname == "version" for f in self.model._meta.concrete_fields) else set()
        for rows, key, mark in parts:
            if attnames is None:
                stored = rows.values_list("pk", *key).iterator(chunk_size=5000)
                if mark:
                    stored = ((row[0], *mark, *row[1:]) for row in stored)
                for row in stored:
                    result[hash(row[1:])] = {"pk": row[0]}
                continue
            fields = sorted(set(attnames) | set(key) | ({fb.seq} if fb is not None else set()) | versioned)
            for row in rows.values("pk", *fields).iterator(chunk_size=5000):
                result[hash((*mark, *[row[k] for k in key]))] = row
        return result

    def resolver(self, ctx):
        """Return resolve(values) → {attname: message} or None, or None for no step.

        It runs on each parsed row before its natural key is taken, and may
        complete the values from several cells (a masked 身份证号 is
        resolved with the 姓名 of the same row).
        """
        return None

    def checker(self, ctx):
        """Return check(values, current) → {field: message} of the model's own rules.

        `current` is the stored row (a dict) when the row updates one. The
        default runs the model's `clean()` (`model_checker`) with the spec's
        defaults.
        """
        return model_checker(self.model, self.defaults(ctx))

    def batch_checker(self, ctx):
        """Return check(columns, count) → True when every row of a chunk
        passes the model's rules, or None when the spec checks row by row.

        `columns` maps attnames to the parsed values of a chunk of new rows
        (a column a sheet leaves out is absent); the check may complete
        derived values in place, as `checker` does per row. On False the
        chunk is checked again row by row, which words the errors — so the
        check only has to be sure, never to explain.
        """
        return None

    def inserter(self, ctx):
        return FastInserter(self.model)

    def insert(self, ctx, inserter, rows):
        """Insert a batch of new rows (dicts of attnames); return their ids."""
        base = self.defaults(ctx)
        return inserter.insert([{**base, **row} for row in rows])

    def update(self, ctx, pk, changes):
        """Apply changes to one stored row; the tracked model records the event."""
        obj = self.model.objects.select_for_update().get(pk=pk)
        for attname, value in changes.items():
            setattr(obj, attname, value)
        fields = list(changes)
        if hasattr(obj, "version"):
            obj.version += 1
            fields.append("version")
        if any(f.attname == "updated_at" for f in self.model._meta.concrete_fields):
            fields.append("updated_at")
        obj.save(update_fields=[self._field_name(a) for a in fields])
        return obj

    def _field_name(self, attname):
        for f in self.model._meta.concrete_fields:
            if f.attname == attname:
                return f.name
        return attname

    def export_rows(self, ctx):
        """Yield the exported cells of every stored row, in column order
        (a column not stored is exported from its `source` field)."""
        fields = [c.attname if c.stored else c.source for c in self.columns]
        for row in self.export_queryset(ctx).order_by("pk").values(*dict.fromkeys(fields)).iterator(chunk_size=2000):
            yield [col.export(row[name]) for col, name in zip(self.columns, fields)]

    def example_row(self):
        return [col.example for col in self.columns]

    def verbose(self, attname):
        """Return the Chinese name of a model field for messages."""
        for f in self.model._meta.concrete_fields:
            if attname in (f.name, f.attname):
                with translation.override(settings.LANGUAGE_CODE):
                    return str(f.verbose_name)
        return attname
