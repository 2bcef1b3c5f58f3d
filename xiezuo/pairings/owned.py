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

    pairing = models.ForeignKey("pairings.Pairing", verbose_name="结对关系", on_delete=models.PROTECT,
                                related_name="+")
    is_demo = models.BooleanField("示例数据", default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True
