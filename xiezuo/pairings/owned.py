"""The base of every record that belongs to a pairing.

Access is decided by one thing: the pairing a record belongs to (and, for
an implementing unit, the unit whose project it hangs off). Each model says
how to reach those through two lookups, and the scoping helper
(`xiezuo.accounts.scope.Scope.get` / `Scope.filter`) reads them, so no view
or import needs to know a model's shape to keep a user inside the scope:

- `scope_path`: the lookup from the model to its Pairing (`"pairing"`,
  `"project__pairing"`, `"training_class__pairing"`, …);
- `unit_path`: the lookup (or a tuple of lookups) to the implementing unit
  (an Organisation) that may read the record as its own, or None when an
  implementing unit may not read such records at all (the labour register,
  sales, …: an implementing unit sees its own projects and what hangs off
  them, nothing more).

The audit trail files each change under the same pairing (`audit_pairing_id`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScopedModel(models.Model):
    """A record whose pairing is reached through `scope_path`."""

    scope_path = "pairing"
    unit_path = None

    class Meta:
        abstract = True

    def scope_pairing_id(self):
        """Return the id of the pairing this record belongs to, following `scope_path`."""
        obj = self
        *hops, last = self.scope_path.split("__")
        for hop in hops:
            obj = getattr(obj, hop, None)
            if obj is None:
                return None
        return getattr(obj, f"{last}_id", None)

    def audit_pairing_id(self):
        return self.scope_pairing_id()


class PairingOwned(ScopedModel):
    """A ledger record held directly by a pairing, edited with optimistic
    locking (`version`) and marked when it is demo data.

    Subclasses redeclare `pairing` to keep their own reverse name and
    deletion rule; the base guarantees that the field exists.
    """

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="+")
    is_demo = models.BooleanField(_("示例数据"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class RepeatNumbered(models.Model):
    """A ledger record whose natural key ends in an optional number (凭证号,
    文号, 票据号), told apart without it by its place among identical records.

    With the number, the number identifies the record (with the key's other
    fields). Without it, records whose `repeat_key` fields are equal (the
    same buyer, product, day and amount, say) are genuinely different
    purchases or payments as often as they are one row typed twice, so each
    gets `repeat_no`: 1 for the first such record, 2 for the second, … The
    ledger import numbers the identical rows of a file in file order (the
    1st, 2nd, … of that file), so importing the same file again finds every
    row stored and adds nothing, while two identical rows of one file are
    both kept. A unique constraint over `repeat_key` + `repeat_no`, limited to
    records without the number, holds this in the database too.

    A save (form, API, a bulk load) gives a record without the number the
    next free place of its group, and keeps the place it has while its group
    fields stay the same. Records with the number have no place (NULL).
    Subclasses set `repeat_optional` (the number's field) and `repeat_key`
    (attnames) and declare the constraint.
    """

    repeat_optional = ""
    repeat_key = ()

    repeat_no = models.PositiveIntegerField(_("相同记录序号"), null=True, blank=True, editable=False,
                                            help_text=_("未填凭证号（文号、票据号）时，相同记录中的第几条"))

    class Meta:
        abstract = True

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        # The place is given by `save` (below); before that it may still be
        # the one of the group the record is leaving, which is no conflict.
        exclude = {*(exclude or ()), "repeat_no"}
        return super().full_clean(exclude=exclude, validate_unique=validate_unique,
                                  validate_constraints=validate_constraints)

    def number_repeat(self):
        """Set `repeat_no` for the values about to be saved; return True when it changed."""
        before = self.repeat_no
        if getattr(self, self.repeat_optional):
            self.repeat_no = None
            return before is not None
        group = {name: getattr(self, name) for name in self.repeat_key}
        manager = type(self)._base_manager
        if self.pk is not None and before is not None:
            stored = manager.filter(pk=self.pk).values(self.repeat_optional, "repeat_no", *self.repeat_key).first()
            if stored is not None and not stored[self.repeat_optional] and stored["repeat_no"] == before \
                    and all(stored[name] == value for name, value in group.items()):
                return False
        top = (manager.filter(**{self.repeat_optional: ""}, **group).exclude(pk=self.pk)
               .aggregate(top=models.Max("repeat_no"))["top"])
        self.repeat_no = (top or 0) + 1
        return True

    def save(self, *args, **kwargs):
        if self.number_repeat() and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "repeat_no"}
        super().save(*args, **kwargs)
