"""The one way a recorded workflow step is taken on a ledger row whose
status moves by steps with a history (rectification tasks, asset
disposals): the row locked, the version the person saw checked, the status
the step starts from checked, the step's own rule applied, one history row
and one `workflow` audit event (with the values before and after) written.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from .forms import check_version


class StepsMixin:
    """For a `PairingOwned` model with `status` and `version`. A model sets:

    - `STEP_NAMES`: {step code: its name, e.g. 销号};
    - `STEP_FIELDS`: the columns a step may change (written in one UPDATE,
      without the save signal: the step's event is the row's one event);
    - `STEP_REFUSAL`: the sentence for a step tried from the wrong status,
      with `%(status)s` and `%(step)s`;
    - `history(current, step, from_status, user, note)`: write the history row;
    - the two-person shape: `STEP_OPEN` (the status edits and the first step
      start from), `STEP_ASK` (that first step), `STEP_ASKED` (the status it
      leads to), `STEP_DECIDE` (the steps a second person takes from there),
      `STEP_ASKER` (the field naming who asked) and `STEP_SAME_PERSON` (the
      refusal when the asker tries to decide).
    """

    def allowed_steps(self, user):
        """The steps `user` may take now (the page offers only these)."""
        from xiezuo.accounts.scope import scope_for

        if not scope_for(user).has(self.pairing_id, "write"):
            return []
        if self.status == self.STEP_OPEN:
            return [self.STEP_ASK]
        if self.status == self.STEP_ASKED and getattr(self, self.STEP_ASKER) != user.pk:
            return list(self.STEP_DECIDE)
        return []

    def may_edit(self, user):
        from xiezuo.accounts.scope import scope_for

        return self.status == self.STEP_OPEN and scope_for(user).has(self.pairing_id, "write")

    def _second_person(self, current, user):
        """The two-person rule: who asked does not decide."""
        if getattr(current, self.STEP_ASKER) == user.pk:
            raise ValidationError(str(self.STEP_SAME_PERSON))

    def _step(self, user, loaded_version, name, expect, change):
        """Take step `name` from status `expect`; `change(current)` applies
        the step's rule to the locked row (raising ValidationError to refuse)
        and returns the note kept with the step."""
        from xiezuo.accounts.scope import scope_for
        from xiezuo.audit.models import record, snapshot

        scope_for(user).require(self.pairing_id, "write")
        model = type(self)
        with transaction.atomic():
            current = model.objects.select_for_update().get(pk=self.pk)
            check_version(current, loaded_version, self)
            if current.status != expect:
                raise ValidationError(str(self.STEP_REFUSAL) % {
                    "status": current.get_status_display(), "step": self.STEP_NAMES[name]})
            before = snapshot(current)
            old = current.status
            note = change(current) or ""
            current.version += 1
            model.objects.filter(pk=current.pk).update(**{f: getattr(current, f) for f in self.STEP_FIELDS})
            current.history(name, old, user, note)
            summary = f"{self.STEP_NAMES[name]}：{current}" + (f"：{note}" if note else "")
            record("workflow", model=self._meta.label, object_id=current.pk, pairing_id=current.pairing_id,
                   summary=summary, before=before, after=snapshot(current))
        self.__dict__.update({f.attname: getattr(current, f.attname) for f in self._meta.concrete_fields})
        return self
