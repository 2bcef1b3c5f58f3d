"""People in the labour ledgers, found by the keyed hash of their 身份证号.

A ledger row names a person by 姓名 + 身份证号. The number is never kept in
the clear beyond the import: the column parses it to the labour module's
keyed hash (`Person.objects.with_id_number` uses the same), the plain number
waits in the import's context only until a new person is created through
`Person.set_id_number` (encrypted, masked, hashed) and saved (tracked: the
audit event shows the masked number and the hash). Exports write the full
number only for roles with the "pii" permission, masked otherwise, and every
export records an `export_pii` event (as the labour roster download does).
A masked number (6301**********1237, as exported to roles without "pii")
is accepted for a person already registered with that masked number.
"""

from django.conf import settings
from django.utils import translation
from django.core.exceptions import ValidationError

from lib import pii
from lib.ids import mask_id_number, normalize_id_number
from xiezuo.accounts.scope import scope_for
from xiezuo.audit.context import acting_as, current_actor
from xiezuo.audit.models import record, record_created
from xiezuo.labour.models import Person, tree_root_id

from ..bulk import FastInserter
from ..columns import Column, clean_text

MASK = "*"


def people(ctx):
    """Return the people of the pairing's tree that the acting user may read."""
    return ctx.scope.filter(Person.objects.in_tree_of(ctx.pairing))


class Masked(str):
    """A masked 身份证号 shared by several registered people, until the row's name decides."""


class PersonIDNumber(Column):
    """身份证号 → the keyed hash of the person (the natural key's part)."""

    kind = "身份证号"

    def prepare(self, ctx):
        rows = list(people(ctx).exclude(id_number_hash=None).values("id_number_hash", "id_number_masked", "name",
                                                                        "household_type", "pk"))
        self._people = {r["id_number_hash"]: r for r in rows}
        # A person is one record per tree. One registered by a pairing the
        # user may not read can be neither shown nor linked nor registered
        # again: such a number is refused, naming nothing about the person.
        self._hidden = set(Person.objects.in_tree_of(ctx.pairing).exclude(id_number_hash=None)
                           .exclude(pk__in=people(ctx).values("pk")).values_list("id_number_hash", flat=True))
        masked = {}
        for r in rows:
            masked.setdefault((r["id_number_masked"]), []).append(r["id_number_hash"])
        self._masked = masked
        self._numbers = ctx.extra.setdefault("id_numbers", {})

    def parse(self, value, unit=None):
        text = clean_text(value).replace(" ", "").upper()
        if MASK in text:
            # An export made under the older mask (630123********1237) still
            # names its person: masked again, it reads as today's mask.
            text = mask_id_number(text) if len(text) == 18 else text
            found = self._masked.get(text, [])
            if len(found) == 1:
                return found[0]
            if not found:
                raise ValueError("号码已脱敏，且找不到以此号码登记的人员；新人员请填写完整的18位身份证号")
            return Masked(text)  # resolved with the row's 姓名 (PeopleMixin.resolver)
        number = normalize_id_number(text)
        digest = pii.search_hash(number, Person.PII_ID)
        if digest in self._hidden:
            raise ValueError("此身份证号的人员已由本协作关系中的其他结对登记，您无权查看或引用；请联系登记该人员的协作办")
        if digest not in self._people:
            self._numbers[digest] = number
        return digest

    def fast(self, unit=None):
        return lambda raw: self.parse(raw, unit)

    def resolve(self, masked, name):
        """Return the hash of the one person with this masked number and name, or None."""
        found = [h for h in self._masked.get(str(masked), []) if self._people[h]["name"] == name]
        return found[0] if len(found) == 1 else None

    def export(self, value):
        if isinstance(value, Masked):
            return str(value)
        # Messages (duplicates) show the masked number, never the hash or the number.
        person = self._people.get(value)
        if person:
            return person["id_number_masked"]
        number = self._numbers.get(value)
        return mask_id_number(number)

    def empty(self):
        return None  # no number: stored as NULL, as the labour module does

    def shown(self, raw):
        text = clean_text(raw)
        if not text:
            return text
        if MASK in text:
            return mask_id_number(text) if len(text) == 18 else text
        return mask_id_number(text) if len(text) > 8 else "*" * len(text)

    def describe(self):
        return "18位公民身份号码（校验位检查），请以文本格式填写；已登记人员也可填写导出的脱敏号码"


class PeopleMixin:
    """Resolve, create and export the person of each row."""

    id_column = "person__id_number_hash"
    person_fields = {"person__name": "name", "person__household_type": "household_type"}

    def resolver(self, ctx):
        col = self.column(self.id_column)
        attname = self.id_column

        new_names = {}  # hash of a person not registered yet → the first name given

        def resolve(values):
            value = values.get(attname)
            if isinstance(value, Masked):
                value = col.resolve(value, values.get("person__name"))
                if value is None:
                    return {attname: "号码已脱敏，有多名已登记人员与之相符且姓名不能区分；请填写完整的18位身份证号"}
                values[attname] = value
            if value and value not in col._people:
                # One new person, one name: two rows of the file must agree.
                name = values.get("person__name")
                first = new_names.setdefault(value, name)
                if first != name:
                    return {"person__name": f"同一身份证号在本文件中已填写姓名“{first}”，姓名不一致"}
            return None

        return resolve

    def person_errors(self, values, current):
        """Return {attname: message} where a row disagrees with its registered person."""
        col = self.column(self.id_column)
        person = col._people.get(values.get(self.id_column))
        errors = {}
        if person is None:
            return errors
        for attname, field in self.person_fields.items():
            if attname not in values or values[attname] in ("", None):
                continue
            stored = person[field]
            if field != "name" and not stored:
                continue  # filled in when the person is written
            if values[attname] != stored:
                shown = self.column(attname).export(stored)
                errors[attname] = f"与已登记人员（{person['id_number_masked']}）的{self.verbose_person(field)}“{shown}”不符，请在人员页面修改"
        return errors

    @staticmethod
    def verbose_person(field):
        with translation.override(settings.LANGUAGE_CODE):  # the importer's messages are Chinese
            return str(Person._meta.get_field(field).verbose_name)

    def person_id(self, ctx, values):
        """Return the pk of the row's person, creating (and auditing) a new one."""
        col = self.column(self.id_column)
        digest = values[self.id_column]
        person = col._people.get(digest)
        if person is not None:
            if values.get("person__household_type") and not person["household_type"]:
                obj = Person.objects.get(pk=person["pk"])
                obj.household_type = values["person__household_type"]
                obj.version += 1
                obj.save(update_fields=["household_type", "version"])
                person["household_type"] = obj.household_type
            return person["pk"]
        obj = self.new_person(ctx, values)
        obj.save()
        self._known(obj)
        return obj.pk

    def new_person(self, ctx, values):
        """Return the row's new person, checked and not saved yet."""
        obj = Person(pairing=ctx.pairing, name=values["person__name"],
                     household_type=values.get("person__household_type") or "")
        obj.set_id_number(ctx.extra["id_numbers"].pop(values[self.id_column]))
        obj.tree_root_id = tree_root_id(ctx.pairing)
        try:
            # No uniqueness query per person: the number was looked up among
            # every person of the tree (visible or not) under the ledger lock,
            # and one file names a new number once (`_people` after the
            # first); the database's unique constraint still stands behind.
            # Nor one for the pairing's existence: it is the import's own.
            obj.full_clean(exclude=["tree_root", "pairing"], validate_unique=False, validate_constraints=False)
        except ValidationError as e:
            raise ValidationError({"person": "；".join(m for ms in e.message_dict.values() for m in ms)}) from None
        return obj

    def _known(self, obj):
        self.column(self.id_column)._people[obj.id_number_hash] = {
            "pk": obj.pk, "name": obj.name, "household_type": obj.household_type,
            "id_number_masked": obj.id_number_masked, "id_number_hash": obj.id_number_hash}

    def create_people(self, ctx, rows):
        """Create the new people of a batch of rows at once: one insert and
        one append of their `create` events to the audit chain (the events
        their saves would leave, in the order of the rows), instead of a
        save, a uniqueness check and an event per person — at 5,000 new
        people the rounds of queries were most of an import, worst on
        PostgreSQL."""
        col = self.column(self.id_column)
        new = {}
        for values in rows:
            digest = values[self.id_column]
            if digest and digest not in col._people and digest not in new:
                new[digest] = self.new_person(ctx, values)
        if not new:
            return
        people = list(new.values())
        inserter = FastInserter(Person)
        ids = inserter.insert([{f.attname: getattr(p, f.attname) for f in inserter.fields} for p in people])
        for obj, pk in zip(people, ids):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = inserter.connection.alias
            self._known(obj)
        record_created(people)

    def update_person(self, pk, changes):
        """Fill a registered person's blank 户类型 from an updated row."""
        household = changes.get("person__household_type")
        if household:
            person = self.model.objects.select_related("person").get(pk=pk).person
            if not person.household_type:
                person.household_type = household
                person.version += 1
                person.save(update_fields=["household_type", "version"])

    def person_rows(self, ctx, rows):
        """Return the rows with person_id set and the person's columns removed."""
        self.create_people(ctx, rows)
        out = []
        for values in rows:
            row = {k: v for k, v in values.items() if not k.startswith("person__")}
            row["person_id"] = self.person_id(ctx, values)
            out.append(row)
        return out

    def export_rows(self, ctx):
        """Yield the rows with the number in full for "pii" roles, masked
        otherwise, and record the export as an `export_pii` event."""
        full = ctx.user is not None and scope_for(ctx.user).has(ctx.pairing, "pii")
        # A column "person__name" holds obj.person.name, "training_class__place" obj.training_class.place.
        paths = [col.attname.split("__") for col in self.columns]
        related = {path[0] for path in paths if len(path) > 1}
        qs = self.export_queryset(ctx).order_by("pk").select_related(*related)
        n = 0
        for obj in qs.iterator(chunk_size=2000):
            person = obj.person
            number = person.reveal_id_number() if full and person.id_number_enc else person.id_number_masked
            cells = []
            for col, path in zip(self.columns, paths):
                if col.attname == self.id_column:
                    cells.append(number)
                    continue
                value = obj
                for part in path:
                    value = getattr(value, part)
                cells.append(col.export(value))
            n += 1
            yield cells
        self._record_export(ctx, n, full)

    def _record_export(self, ctx, n, full):
        summary = f"导出{self.title}（{n}行，{'含完整身份证号' if full else '号码已脱敏'}）"

        def write():
            record("export_pii", model=self.model._meta.label, pairing_id=ctx.pairing.pk, summary=summary,
                   after={"ledger": self.name, "rows": n, "full_numbers": full})

        actor = current_actor()
        if ctx.user is not None and actor.user_id != ctx.user.pk:
            with acting_as(ctx.user, ip=actor.ip):
                write()
        else:
            write()
