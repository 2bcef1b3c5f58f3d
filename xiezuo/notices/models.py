"""Public notices (公告公示) that prove themselves.

Each stage of a project is made public: the 入库公示 of its library entry,
the 计划公告 after approval (立项), the 实施公示 while it is built and the
验收结果公告 after acceptance. A notice carries the content the guidance
names (project, place, content, funds and their source, implementing unit,
expected benefit and 联农带农 mechanism, results), a 监督电话, a period of at
least 10 days, its postings (the county website, the township board, the
village board, each board with a photo) and the feedback received during
the period with how it was handled.

Source: 《关于完善扶贫资金项目公告公示制度的指导意见》 (国务院扶贫开发领导小组
办公室, 2017; the number and date were not verified from the texts we hold)
and a 海东 notice under 青海's rules. Which channels are required, how the
days are counted and that unhandled feedback holds the project are our
judgement (docs/modules/notices.md).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from lib import pii
from lib.dates import cn_date
from lib.ids import mask_phone
from xiezuo.audit.tracking import tracked
from xiezuo.front.forms import AS_READ, check_version
from xiezuo.pairings.owned import PairingOwned, ScopedModel

MONEY = {"max_digits": 16, "decimal_places": 2}
# The shortest period: the guidance asks for at least 10 days. We count
# both the first and the last day (end − start + 1 ≥ 10), our judgement.
MIN_DAYS = 10

LISTING, PLAN, IMPLEMENTATION, RESULT = "listing", "plan", "implementation", "result"
STAGES = [
    (LISTING, _("入库公示")),
    (PLAN, _("计划公告")),
    (IMPLEMENTATION, _("实施公示")),
    (RESULT, _("验收结果公告")),
]
DRAFT, PUBLISHED, WITHDRAWN = "draft", "published", "withdrawn"
STATUSES = [(DRAFT, _("草稿")), (PUBLISHED, _("已发布")), (WITHDRAWN, _("已撤回"))]
PUBLISH, WITHDRAW = "publish", "withdraw"
STEP_NAMES = {PUBLISH: _("发布"), WITHDRAW: _("撤回")}

COUNTY_SITE, TOWNSHIP_BOARD, VILLAGE_BOARD = "county_site", "township_board", "village_board"
CHANNELS = [
    (COUNTY_SITE, _("县级政府网站")),
    (TOWNSHIP_BOARD, _("乡镇公示栏")),
    (VILLAGE_BOARD, _("村公示栏")),
]
BOARDS = {TOWNSHIP_BOARD, VILLAGE_BOARD}
# Board photos are pictures: jpg or png, re-encoded without metadata.
IMAGE_TYPES = ("jpg", "jpeg", "png")

PHONE, LETTER, VISIT = "phone", "letter", "visit"
FEEDBACK_CHANNELS = [(PHONE, _("电话")), (LETTER, _("来信")), (VISIT, _("来访"))]

# The content copied from the project or entry when a notice is drafted,
# editable while it is a draft.
CONTENT_FIELDS = ("title", "name", "place", "content", "coop_funds", "other_funds", "fund_sources",
                  "implementing_unit", "benefit", "linkage", "results")


def upload_path(instance, filename):
    return f"notices/{timezone.now():%Y%m}/{filename}"


def mask_name(name):
    """Keep the family name (the first character) and mask the rest: 张**."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


class NoticeQuerySet(models.QuerySet):
    def within(self, pairing):
        return self.filter(pairing__path__startswith=pairing.path)

    def published(self):
        return self.filter(status=PUBLISHED)


class Notice(PairingOwned):
    """One notice (公示/公告) of one stage of a project or a library entry."""

    unit_path = "project__implementing_unit"

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="notices")
    project = models.ForeignKey("funds.Project", verbose_name=_("项目"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="notices")
    library_entry = models.ForeignKey("library.LibraryEntry", verbose_name=_("项目库条目"), null=True, blank=True,
                                      on_delete=models.CASCADE, related_name="notices")
    stage = models.CharField(_("公示阶段"), max_length=16, choices=STAGES)
    title = models.CharField(_("标题"), max_length=200)
    name = models.CharField(_("项目名称"), max_length=200)
    place = models.CharField(_("建设地点"), max_length=200, blank=True)
    content = models.TextField(_("建设内容"), blank=True)
    coop_funds = models.DecimalField(_("协作资金（元）"), default=0, **MONEY)
    other_funds = models.DecimalField(_("其他资金（元）"), default=0, **MONEY)
    fund_sources = models.CharField(_("资金来源"), max_length=300, blank=True)
    implementing_unit = models.CharField(_("实施单位"), max_length=200, blank=True)
    benefit = models.TextField(_("预期效益"), blank=True)
    linkage = models.TextField(_("联农带农机制"), blank=True)
    results = models.TextField(_("实施结果"), blank=True, help_text=_("验收结果公告填写"))
    hotline = models.CharField(_("监督电话"), max_length=50, help_text=_("受理反映的单位电话，不是个人电话"))
    start_date = models.DateField(_("公示开始日期"))
    end_date = models.DateField(_("公示结束日期"))
    status = models.CharField(_("状态"), max_length=10, choices=STATUSES, default=DRAFT, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+", editable=False)
    published_on = models.DateField(_("发布日期"), null=True, blank=True, editable=False)
    withdrawn_reason = models.CharField(_("撤回原因"), max_length=500, blank=True, editable=False)
    updated_at = models.DateTimeField(_("最近更新"), auto_now=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["start_date", "pk"]
        verbose_name = _("公告公示")
        verbose_name_plural = _("公告公示")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(project__isnull=False, library_entry__isnull=True)
                           | models.Q(project__isnull=True, library_entry__isnull=False)),
                name="notice_project_or_entry", violation_error_message=_("公示须属于一个项目或一个项目库条目")),
        ]
        indexes = [models.Index(fields=["pairing", "stage", "start_date"])]

    def __str__(self):
        return f"{self.name}{self.get_stage_display()}"

    @property
    def subject(self):
        return self.project or self.library_entry

    @property
    def total_funds(self):
        return (self.coop_funds or 0) + (self.other_funds or 0)

    @property
    def editable(self):
        return self.status == DRAFT

    def period_days(self):
        if not (self.start_date and self.end_date):
            return 0
        return (self.end_date - self.start_date).days + 1

    def earliest_end(self):
        """The last day of the shortest period that may start on start_date."""
        return self.start_date + datetime.timedelta(days=MIN_DAYS - 1)

    def in_period(self, day):
        return self.status == PUBLISHED and self.start_date <= day <= self.end_date

    def clean(self):
        errors = {}
        if (self.project_id is None) == (self.library_entry_id is None):
            errors["project"] = gettext("公示须属于一个项目或一个项目库条目")
        elif self.library_entry_id and self.stage != LISTING:
            errors["stage"] = gettext("项目库条目只有入库公示")
        elif self.project_id and self.stage == LISTING:
            errors["stage"] = gettext("入库公示属于项目库条目")
        if self.start_date and self.end_date and self.period_days() < MIN_DAYS:
            errors["end_date"] = gettext("公示期不少于%(days)s天（含首尾两日）：%(start)s开始，最早%(end)s结束") % {
                "days": MIN_DAYS, "start": cn_date(self.start_date), "end": cn_date(self.earliest_end())}
        for field in ("coop_funds", "other_funds"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = gettext("资金不能为负数")
        if not (self.hotline or "").strip():
            errors["hotline"] = gettext("请填写监督电话")
        if errors:
            raise ValidationError(errors)

    # -- drafting -------------------------------------------------------------

    @classmethod
    def draft_for(cls, subject, stage):
        """Return an unsaved draft of `stage` for a project or a library
        entry, its content copied from it (edited before publishing)."""
        from .document import draft_content

        notice = cls(pairing_id=subject.pairing_id, stage=stage, is_demo=getattr(subject, "is_demo", False))
        if stage == LISTING:
            notice.library_entry = subject
        else:
            notice.project = subject
        for field, value in draft_content(subject, stage).items():
            setattr(notice, field, value)
        return notice

    def required_channels(self):
        """The county website always; the township board when the project
        (or entry) has a township, the village board when it has a village
        (our judgement)."""
        subject = self.subject
        required = [COUNTY_SITE]
        if subject is not None and subject.township_id:
            required.append(TOWNSHIP_BOARD)
        if subject is not None and subject.village_id:
            required.append(VILLAGE_BOARD)
        return required

    # -- the period rule ------------------------------------------------------

    def missing(self, day):
        """Return what keeps this notice from having run its period by `day`
        (a list of Chinese sentences; empty when it has run)."""
        if self.status != PUBLISHED:
            return [gettext("尚未发布") if self.status == DRAFT else gettext("已撤回")]
        out = []
        after = self.start_date + datetime.timedelta(days=MIN_DAYS)
        if day < after:
            out.append(gettext("尚未满%(days)s天：%(start)s开始，%(after)s后才能变更") % {
                "days": MIN_DAYS, "start": cn_date(self.start_date),
                "after": cn_date(after - datetime.timedelta(days=1))})
        postings = {p.channel: p for p in self.postings.all()}
        labels = dict(CHANNELS)
        last_needed = self.earliest_end()
        for channel in self.required_channels():
            posting = postings.get(channel)
            label = labels[channel]
            if posting is None:
                out.append(gettext("缺少%(channel)s的张贴记录") % {"channel": label})
                continue
            if channel in BOARDS and not posting.photo:
                out.append(gettext("%(channel)s缺少张贴照片") % {"channel": label})
            if posting.posted_on > self.start_date:
                out.append(gettext("%(channel)s晚于公示开始日期张贴") % {"channel": label})
            if posting.taken_down_on and posting.taken_down_on < last_needed:
                out.append(gettext("%(channel)s于%(down)s撤下，不满%(days)s天") % {
                    "channel": label, "down": cn_date(posting.taken_down_on), "days": MIN_DAYS})
        open_feedback = [f for f in self.feedback.all()
                         if f.received_on <= self.end_date and not (f.handling.strip() and f.handled_on)]
        if open_feedback:
            out.append(gettext("公示期内收到的%(n)s条反馈尚未办结") % {"n": len(open_feedback)})
        return out

    def has_run(self, day):
        return not self.missing(day)

    # -- steps ----------------------------------------------------------------

    def may_act(self, scope):
        return scope.has(self.pairing_id, "write")

    def _step(self, user, action, loaded_version, change, reason=""):
        from xiezuo.accounts.scope import scope_for
        from xiezuo.audit.models import record, snapshot

        scope = scope_for(user)
        scope.require(self.pairing_id, "read")
        with transaction.atomic():
            current = Notice.objects.select_for_update().get(pk=self.pk)
            check_version(current, loaded_version, self)
            if not current.may_act(scope):
                from django.core.exceptions import PermissionDenied

                raise PermissionDenied(gettext("您的角色无权%(action)s公示") % {"action": STEP_NAMES[action]})
            change(current)
            current.version += 1
            current.save()
            record("workflow", model=self._meta.label, object_id=current.pk, pairing_id=current.pairing_id,
                   summary=f"{'发布公示' if action == PUBLISH else '撤回公示'}：{current}"
                   + (f"（{reason}）" if reason else ""), after=snapshot(current))
        for field in ("status", "version", "published_by_id", "published_on", "withdrawn_reason", "updated_at"):
            setattr(self, field, getattr(current, field))
        return self

    def publish(self, user, date=None, loaded_version=AS_READ):
        """Publish a draft: its content is then fixed. One audit event."""
        date = date or timezone.localdate()

        def change(current):
            if current.status != DRAFT:
                raise ValidationError(gettext("只有草稿可以发布"))
            if date > timezone.localdate():
                raise ValidationError({"date": gettext("日期不能晚于今天")})
            current.full_clean()
            current.status, current.published_by, current.published_on = PUBLISHED, user, date
            if not getattr(user, "pk", None):
                current.published_by = None

        return self._step(user, PUBLISH, loaded_version, change)

    def withdraw(self, user, reason, loaded_version=AS_READ):
        """Withdraw a published notice (it no longer counts), with a reason."""
        reason = (reason or "").strip()

        def change(current):
            if current.status != PUBLISHED:
                raise ValidationError(gettext("只有已发布的公示可以撤回"))
            if not reason:
                raise ValidationError({"reason": gettext("撤回须填写原因")})
            current.status, current.withdrawn_reason = WITHDRAWN, reason[:500]

        return self._step(user, WITHDRAW, loaded_version, change, reason)


class NoticePosting(ScopedModel):
    """Where a notice was posted: a channel, the days, a URL or a photo."""

    scope_path = "notice__pairing"
    unit_path = "notice__project__implementing_unit"

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="postings")
    channel = models.CharField(_("公示渠道"), max_length=16, choices=CHANNELS)
    url = models.URLField(_("网址"), max_length=500, blank=True)
    posted_on = models.DateField(_("张贴（发布）日期"))
    taken_down_on = models.DateField(_("撤下日期"), null=True, blank=True)
    # Checked by the form (`front.forms.checked_upload`): real type, size,
    # photos re-encoded without EXIF (no GPS position, no camera owner).
    photo = models.FileField(_("张贴照片"), upload_to=upload_path, max_length=300, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        ordering = ["notice", "channel", "pk"]
        verbose_name = _("公示张贴记录")
        verbose_name_plural = _("公示张贴记录")
        constraints = [models.UniqueConstraint("notice", "channel", name="notice_posting_one_per_channel",
                                               violation_error_message=_("该公示已有此渠道的张贴记录"))]

    def __str__(self):
        return f"{self.notice} {self.get_channel_display()}"

    def clean(self):
        errors = {}
        if self.channel == COUNTY_SITE and not self.url:
            errors["url"] = gettext("县级政府网站须填写网址")
        if self.channel in BOARDS and not self.photo:
            errors["photo"] = gettext("公示栏须上传张贴照片")
        if self.posted_on and self.taken_down_on and self.taken_down_on < self.posted_on:
            errors["taken_down_on"] = gettext("撤下日期不能早于张贴日期")
        if errors:
            raise ValidationError(errors)


class NoticeFeedback(ScopedModel):
    """Feedback received about a notice and how it was handled. The name and
    phone of the person are personal data: stored encrypted, shown masked,
    never on the public page."""

    scope_path = "notice__pairing"
    unit_path = None
    PII_NAME, PII_PHONE = "feedback_name", "phone"

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="feedback")
    received_on = models.DateField(_("收到日期"))
    channel = models.CharField(_("反映方式"), max_length=10, choices=FEEDBACK_CHANNELS)
    content = models.TextField(_("反映内容"))
    name_enc = models.TextField(blank=True, editable=False)
    name_masked = models.CharField(_("反映人"), max_length=50, blank=True, editable=False)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    handling = models.TextField(_("办理情况"), blank=True)
    handled_on = models.DateField(_("办结日期"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办理人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", editable=False)

    audit_exclude = ("name_enc", "phone_enc")

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = _("公示反馈")
        verbose_name_plural = _("公示反馈")

    def __str__(self):
        return f"{self.notice} {cn_date(self.received_on)}"

    @property
    def handled(self):
        return bool(self.handling.strip() and self.handled_on)

    def set_person(self, name, phone):
        name = (name or "").strip()
        self.name_enc = pii.encrypt(name, self.PII_NAME) if name else ""
        self.name_masked = mask_name(name)
        phone = pii.normalize_phone(phone) if (phone or "").strip() else ""
        self.phone_enc = pii.encrypt(phone, self.PII_PHONE) if phone else ""
        self.phone_masked = mask_phone(phone)

    def clean(self):
        errors = {}
        if self.handled_on and self.received_on and self.handled_on < self.received_on:
            errors["handled_on"] = gettext("办结日期不能早于收到日期")
        if self.handled_on and not self.handling.strip():
            errors["handling"] = gettext("办结须填写办理情况")
        if errors:
            raise ValidationError(errors)


tracked(Notice)
tracked(NoticePosting)
tracked(NoticeFeedback)
