"""The project library (项目库): where projects come from.

An entry is applied for by a village or unit (村申报), reviewed by the
township (乡审核) and approved by the county (县审定), then listed (入库)
with a public notice; a listed entry may be removed (出库) with a reason.
Only a project linked to a listed entry may be approved (立项) as a project
of a yearly plan (`funds.Project.transition`).

Source: 国乡振发〔2021〕3号, as applied by counties (the 村申报 → 乡审核 →
县审定 sequence, 入库公示, rolling entry). Which role takes which step is our
judgement (see `may_take` and docs/modules/library.md).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiezuo.audit.tracking import tracked
from xiezuo.front.forms import AS_READ, check_version
from xiezuo.pairings.owned import PairingOwned, ScopedModel

MONEY = {"max_digits": 16, "decimal_places": 2}
COUNTY_LEVELS = {"province", "city", "county"}


def county_pairing_id(pairing):
    """Return the id of the pairing whose west office approves for `pairing`:
    the pairing itself at county level or above, else its nearest ancestor
    at such a level, else the root of its tree (our judgement)."""
    if pairing.level in COUNTY_LEVELS or not pairing.parent_id:
        return pairing.pk
    ancestors = list(pairing.ancestors())
    for ancestor in reversed(ancestors):
        if ancestor.level in COUNTY_LEVELS:
            return ancestor.pk
    return ancestors[0].pk if ancestors else pairing.pk


class LibraryEntryQuerySet(models.QuerySet):
    def in_subtree(self, pairing):
        return self.filter(pairing__path__startswith=pairing.path)

    def listed(self):
        return self.filter(stage=LibraryEntry.LISTED)

    def for_detail(self):
        return self.select_related("pairing", "category", "township", "village", "implementing_unit",
                                   "reviewed_by")


class LibraryEntry(PairingOwned):
    """One project of the library (项目库条目)."""

    APPLIED, REVIEWED, APPROVED, LISTED, REMOVED, RETURNED = (
        "applied", "reviewed", "approved", "listed", "removed", "returned")
    STAGES = [
        (APPLIED, _("村申报")),
        (REVIEWED, _("乡审核")),
        (APPROVED, _("县审定")),
        (LISTED, _("已入库")),
        (REMOVED, _("已出库")),
        (RETURNED, _("已退回")),
    ]
    # action: (from stage, to stage, who: "apply" / "township" / "county",
    # opinion required)
    ACTIONS = {
        "review": (APPLIED, REVIEWED, "township", False),
        "review_return": (APPLIED, RETURNED, "township", True),
        "approve": (REVIEWED, APPROVED, "county", False),
        "approve_return": (REVIEWED, RETURNED, "county", True),
        "list": (APPROVED, LISTED, "county", False),
        "remove": (LISTED, REMOVED, "county", True),
        "resubmit": (RETURNED, APPLIED, "apply", False),
    }
    ACTION_LABELS = {
        "apply": _("村申报"),
        "review": _("乡审核通过"),
        "review_return": _("乡审核退回"),
        "approve": _("县审定通过"),
        "approve_return": _("县审定退回"),
        "list": _("入库"),
        "remove": _("出库"),
        "resubmit": _("重新申报"),
    }
    # What a role needs (scope permissions), our judgement: data entry of
    # an application is "write" on the entry's pairing (an office enters
    # what the village or unit applied for); the township review is the
    # west office of the entry's pairing (a township pair's west office, or
    # the county's for entries held by the county pair); the county
    # approval, listing and removal are the west office of the county-level
    # pairing above it.
    NEEDS = {"apply": "write", "township": "west", "county": "west"}

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="library_entries")
    year = models.PositiveSmallIntegerField(_("入库年度"))
    name = models.CharField(_("项目名称"), max_length=200)
    village = models.ForeignKey("pairings.Region", verbose_name=_("申报村"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField(_("申报单位"), max_length=200, blank=True,
                                 help_text=_("非村申报时填写申报单位名称"))
    township = models.ForeignKey("pairings.Region", verbose_name=_("所在乡镇"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("funds.ProjectCategory", verbose_name=_("项目类别"), on_delete=models.PROTECT,
                                 related_name="library_entries")
    content = models.TextField(_("建设内容"))
    implementing_unit = models.ForeignKey("pairings.Organisation", verbose_name=_("实施单位"), null=True,
                                          blank=True, on_delete=models.PROTECT, related_name="+")
    coop_funds = models.DecimalField(_("计划协作资金（元）"), default=Decimal("0"), **MONEY)
    other_funds = models.DecimalField(_("计划其他资金（元）"), default=Decimal("0"), **MONEY)
    other_sources = models.CharField(_("其他资金来源"), max_length=200, blank=True)
    benefit = models.TextField(_("预期效益"), blank=True)
    linkage = models.TextField(_("联农带农机制"), blank=True)
    hotline = models.CharField(_("监督电话"), max_length=50, blank=True)
    stage = models.CharField(_("阶段"), max_length=10, choices=STAGES, default=APPLIED)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+", editable=False)
    listed_on = models.DateField(_("入库日期"), null=True, blank=True, editable=False)
    removed_reason = models.CharField(_("出库原因"), max_length=500, blank=True, editable=False)
    updated_at = models.DateTimeField(_("最近更新"), auto_now=True)

    objects = LibraryEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "name", "pk"]
        verbose_name = _("项目库条目")
        verbose_name_plural = _("项目库条目")
        constraints = [models.UniqueConstraint("pairing", "year", "name", name="library_entry_unique_name",
                                               violation_error_message=_("该结对本年度已有同名的项目库条目"))]
        indexes = [models.Index(fields=["pairing", "year", "stage"])]

    def __str__(self):
        return self.name

    @property
    def applicant(self):
        return str(self.village.name) if self.village_id else self.unit_name

    @property
    def place(self):
        return " ".join(str(r.name) for r in (self.township, self.village) if r)

    @property
    def total_funds(self):
        return (self.coop_funds or 0) + (self.other_funds or 0)

    @property
    def editable(self):
        return self.stage in (self.APPLIED, self.RETURNED)

    def clean(self):
        errors = {}
        for field in ("coop_funds", "other_funds"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = gettext("资金不能为负数")
        if self.year and not (2000 <= self.year <= 2100):
            errors["year"] = gettext("年度应在2000至2100之间")
        if not self.village_id and not (self.unit_name or "").strip():
            errors["unit_name"] = gettext("请选择申报村或填写申报单位")
        if self.village_id and self.township_id and self.village.parent_id != self.township_id:
            errors["village"] = gettext("申报村不属于所选乡镇")
        if errors:
            raise ValidationError(errors)

    # -- who may take a step -------------------------------------------------

    def may_take(self, scope, action):
        if action not in self.ACTIONS:
            return False
        who = self.ACTIONS[action][2]
        pairing_id = county_pairing_id(self.pairing) if who == "county" else self.pairing_id
        return scope.has(pairing_id, self.NEEDS[who])

    def next_actions(self):
        return [a for a, (frm, *_rest) in self.ACTIONS.items() if frm == self.stage]

    def allowed_actions(self, scope):
        return [a for a in self.next_actions() if self.may_take(scope, a)]

    # -- steps ---------------------------------------------------------------

    def record_application(self, user, date=None):
        """Log the application (村申报) of a new entry: its first step."""
        from xiezuo.audit.models import record, snapshot

        date = date or timezone.localdate()
        LibraryStep.objects.create(entry=self, action="apply", from_stage="", to_stage=self.APPLIED, date=date,
                                   user=user if getattr(user, "pk", None) else None)
        record("workflow", model=self._meta.label, object_id=self.pk, pairing_id=self.pairing_id,
               summary=f"村申报：{self}", after=snapshot(self))

    def take(self, user, action, opinion="", date=None, loaded_version=AS_READ):
        """Take one step under the row lock, checking the version the person
        acting looked at; log who, when and the opinion, and leave one audit
        event. Raises ValidationError (illegal step, missing opinion, bad
        date, stale version: code "conflict"), PermissionDenied or Http404."""
        from xiezuo.accounts.scope import scope_for
        from xiezuo.audit.models import record, snapshot

        scope = scope_for(user)
        scope.require(self.pairing_id, "read")
        opinion = (opinion or "").strip()
        date = date or timezone.localdate()
        labels = dict(self.STAGES)
        with transaction.atomic():
            current = LibraryEntry.objects.select_for_update().select_related("pairing").get(pk=self.pk)
            check_version(current, loaded_version, self)
            if action not in self.ACTIONS:
                raise ValidationError({"action": gettext("无效的操作")})
            frm, to, who, needs_opinion = self.ACTIONS[action]
            label = str(self.ACTION_LABELS[action])
            if current.stage != frm:
                raise ValidationError(gettext("该条目当前为“%(stage)s”，不能%(action)s")
                                      % {"stage": labels[current.stage], "action": label})
            if not current.may_take(scope, action):
                raise PermissionDenied(gettext("您的角色无权%(action)s") % {"action": label})
            if needs_opinion and not opinion:
                raise ValidationError({"opinion": gettext("%(action)s须填写意见或原因") % {"action": label}})
            if action in ("approve", "approve_return") and current.reviewed_by_id == user.pk:
                raise ValidationError(gettext("乡审核与县审定须由两名不同的人员完成：您审核的条目不能由您本人审定"))
            if date > timezone.localdate():
                raise ValidationError({"date": gettext("日期不能晚于今天")})
            last = current.steps.order_by("-date", "-pk").first()
            if last and date < last.date:
                raise ValidationError({"date": gettext("日期不能早于上一步的日期")})
            if action == "review":
                current.reviewed_by = user
            if action == "resubmit":
                current.reviewed_by = None
            if action == "list":
                current.listed_on = date
            if action == "remove":
                current.removed_reason = opinion[:500]
            current.stage = to
            current.version += 1
            current.save()
            LibraryStep.objects.create(entry=current, action=action, from_stage=frm, to_stage=to, date=date,
                                       user=user if getattr(user, "pk", None) else None, opinion=opinion[:1000])
            summary = f"{label}：{current}" + (f"（{opinion}）" if opinion else "")
            record("workflow", model=self._meta.label, object_id=current.pk, pairing_id=current.pairing_id,
                   summary=summary, after=snapshot(current))
        for field in ("stage", "version", "reviewed_by_id", "listed_on", "removed_reason", "updated_at"):
            setattr(self, field, getattr(current, field))
        return self

    def skipped_steps(self):
        """Return the labels of the steps a listed (or removed) entry lacks."""
        if self.stage not in (self.LISTED, self.REMOVED):
            return []
        taken = set(self.steps.values_list("action", flat=True))
        return [str(self.ACTION_LABELS[a]) for a in ("review", "approve", "list") if a not in taken]


class LibraryStep(ScopedModel):
    """One step of an entry: who took it, when, with which opinion."""

    scope_path = "entry__pairing"

    entry = models.ForeignKey(LibraryEntry, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=20, choices=list(LibraryEntry.ACTION_LABELS.items()))
    from_stage = models.CharField(_("原阶段"), max_length=10, choices=LibraryEntry.STAGES, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=10, choices=LibraryEntry.STAGES)
    date = models.DateField(_("日期"))
    at = models.DateTimeField(_("记录时间"), default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    opinion = models.CharField(_("意见"), max_length=1000, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("项目库流程记录")
        verbose_name_plural = _("项目库流程记录")

    def __str__(self):
        return f"{self.entry} {self.get_action_display()}"


tracked(LibraryEntry)
