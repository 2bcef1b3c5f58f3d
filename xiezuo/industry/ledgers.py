"""What each ledger of this module shows: columns, filters, forms.

The list, detail, create and edit pages of all seven ledgers are the same four
views driven by these descriptions, so a rule about scoping or saving is
written once and holds for every ledger.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy as _

from lib.dates import cn_date
from lib.money import wan
from xiezuo.front.params import FIRST_YEAR, LAST_YEAR, int_or_none

from . import forms
from .models import AgreedItem, DemoVillage, Donation, Investment, Park, Visit, Workshop


@dataclass
class Ledger:
    slug: str
    model: type
    form: type
    title: str
    columns: list  # (label, attribute path)
    search: tuple = ()  # fields searched by ?q=
    choices: tuple = ()  # fields filtered by ?<field>=<code>
    year: object = None  # function (queryset, year) -> queryset
    related: tuple = ()
    prefetch: tuple = ()  # rows the API serialises with each record
    money: tuple = ()  # fields shown in 万元
    formset: object = None  # child rows edited on the record's form (officials, arrivals)
    formset_prefix: str = ""  # the formset's form prefix and the API's key for the child rows
    formset_template: str = ""  # the form's table of child rows
    detail_template: str = "industry/detail.html"
    hidden: tuple = field(default=("id", "pairing", "version", "is_demo"))
    # The rows behind a dashboard card, by the figure's own QuerySet rule:
    # {figure path: (function (queryset, year) -> queryset, the attribute
    # whose distinct values the figure counts, or None to count rows)}.
    # `?counted=<figure path>&year=` lists them (a card's link).
    counted: dict = field(default_factory=dict)

    def url(self, action):
        return f"industry_{self.slug}_{action}"

    @property
    def id_param(self):
        """The URL/API parameter naming one record: park_id, agreeditem_id …"""
        return f"{self.model._meta.model_name}_id"

    # URL names for templates: {% url ledger.list_name pairing.pk %}.
    list_name = property(lambda self: self.url("list"))
    new_name = property(lambda self: self.url("new"))
    detail_name = property(lambda self: self.url("detail"))
    edit_name = property(lambda self: self.url("edit"))

    def filtered(self, queryset, params):
        """Apply the list filters of the query string."""
        q = params.get("q", "").strip()
        if q and self.search:
            cond = Q()
            for name in self.search:
                cond |= Q(**{f"{name}__icontains": q})
            queryset = queryset.filter(cond).distinct()
        for name in self.choices:
            value = params.get(name, "")
            if value:
                queryset = queryset.filter(**{name: value})
        # Only a sane year filters: 10045865 would make the year's dates fail.
        year = int_or_none(str(params.get("year", "")), FIRST_YEAR, LAST_YEAR)
        rule = self.counted_rule(params)
        if year and rule:
            queryset = rule[0](queryset, year)
        elif year and self.year:
            queryset = self.year(queryset, year)
        return queryset

    def counted_rule(self, params):
        """The `counted` rule `?counted=` names with a year, or None."""
        year = int_or_none(str(params.get("year", "")), FIRST_YEAR, LAST_YEAR)
        return self.counted.get(params.get("counted", "")) if year else None

    def choice_filters(self, params):
        out = []
        for name in self.choices:
            f = self.model._meta.get_field(name)
            out.append((name, f.verbose_name, f.choices, params.get(name, "")))
        return out


def resolve(obj, path):
    value = obj
    for part in path.split("."):
        if value is None:
            return None
        display = getattr(value, f"get_{part}_display", None)
        value = display() if callable(display) else getattr(value, part)
        if callable(value):
            value = value()
    return value


def show(value, money=False):
    """Format one value the way offices write it."""
    if value is None or value == "":
        return ""
    if money:
        return wan(value)
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, datetime.date):
        return cn_date(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def rows(ledger, objects):
    return [(obj, [show(resolve(obj, path), path in ledger.money) for _, path in ledger.columns])
            for obj in objects]


def detail_fields(ledger, obj):
    """Return (label, text) for every stored field worth showing."""
    out = []
    for f in obj._meta.concrete_fields:
        if f.name in ledger.hidden or f.name == "minutes":
            continue
        out.append((f.verbose_name, show(resolve(obj, f.name), f.name in ledger.money)))
    return out


LEDGERS = {
    "parks": Ledger(
        "parks", Park, forms.ParkForm, _("共建产业园区"),
        [(_("园区名称"), "name"), (_("所在区划"), "region"), (_("共建起始年度"), "since_year"),
         (_("建设状态"), "status")],
        search=("name",), choices=("status",), year=lambda qs, y: qs.existing_in([y]), related=("region",),
        detail_template="industry/park_detail.html",
        counted={"industry.parks": (lambda qs, y: qs.existing_in([y]), None)}),
    "investments": Ledger(
        "investments", Investment, forms.InvestmentForm, _("招商引资"),
        [(_("企业"), "enterprise"), (_("投资项目"), "project_name"), (_("所属行业"), "industry"),
         (_("落地日期"), "landed_on"), (_("协议投资额"), "agreed_amount"), (_("实际到位"), "arrived_amount"),
         (_("带动就业"), "jobs"), (_("其中脱贫劳动力"), "jobs_poverty")],
        search=("project_name", "enterprise__name", "enterprise__uscc"), choices=("industry",),
        year=lambda qs, y: qs.landed_in([y]), related=("enterprise", "park", "origin_region"),
        money=("agreed_amount", "arrived_amount"), formset=forms.ArrivalFormSet, formset_prefix="arrivals",
        formset_template="industry/_arrivals_formset.html", prefetch=("arrivals",),
        detail_template="industry/investment_detail.html",
        counted={"industry.enterprises_invested": (lambda qs, y: qs.arrived_in([y]), "enterprise_id"),
                 "industry.park_enterprises": (lambda qs, y: qs.in_parks_by(y), "enterprise_id")}),
    "workshops": Ledger(
        "workshops", Workshop, forms.WorkshopForm, _("帮扶车间"),
        [(_("车间名称"), "name"), (_("车间类型"), "kind"), (_("运营企业"), "enterprise"), (_("所在园区"), "park"),
         (_("所在乡镇/村"), "location"), (_("投运日期"), "opened_on"), (_("认定日期"), "recognised_on"),
         (_("认定时吸纳就业"), "jobs"), (_("其中脱贫人口"), "jobs_poverty")],
        search=("name", "enterprise__name", "products"), choices=("kind",), year=lambda qs, y: qs.operating_in([y]),
        related=("enterprise", "park", "location"), prefetch=("months",),
        detail_template="industry/workshop_detail.html",
        counted={"industry.workshops": (lambda qs, y: qs.counted_in([y]), None)}),
    "donations": Ledger(
        "donations", Donation, forms.DonationForm, _("社会帮扶捐赠"),
        [(_("捐赠日期"), "date"), (_("捐赠方"), "donor_name"), (_("捐赠方类型"), "donor_kind"),
         (_("捐赠形式"), "form"), (_("金额/折款"), "amount"), (_("用途"), "purpose"), (_("受赠单位"), "receiver")],
        search=("donor_name", "purpose", "receiver", "items"), choices=("donor_kind", "form"),
        year=lambda qs, y: qs.in_years([y]), money=("amount",)),
    "visits": Ledger(
        "visits", Visit, forms.VisitForm, _("互访与会议"),
        [(_("开始日期"), "start_on"), (_("结束日期"), "end_on"), (_("类型"), "kind"), (_("名称"), "title"),
         (_("方向"), "direction"), (_("代表团人数"), "delegation_size")],
        search=("title", "places", "topics", "officials__name"), choices=("kind", "direction"),
        year=lambda qs, y: qs.started_in([y]), formset=forms.OfficialFormSet, formset_prefix="officials",
        formset_template="industry/_officials_formset.html", prefetch=("officials",),
        detail_template="industry/visit_detail.html",
        counted={"exchanges.leader_visits": (lambda qs, y: qs.started_in([y]).filter(kind=Visit.LEADER), None),
                 "exchanges.joint_meetings": (lambda qs, y: qs.started_in([y]).filter(kind=Visit.JOINT_MEETING),
                                              None)}),
    "items": Ledger(
        "items", AgreedItem, forms.AgreedItemForm, _("合作事项"),
        [(_("年度"), "year"), (_("合作事项"), "title"), (_("东部责任单位"), "east_owner"),
         (_("西部责任单位"), "west_owner"), (_("完成时限"), "deadline"), (_("状态"), "status")],
        search=("title", "description", "east_owner", "west_owner"), choices=("status",),
        year=lambda qs, y: qs.in_years([y]), related=("source_visit",), prefetch=("notes__author",),
        detail_template="industry/item_detail.html"),
    "villages": Ledger(
        "villages", DemoVillage, forms.DemoVillageForm, _("乡村振兴示范村"),
        [(_("村"), "village"), (_("示范村级别"), "level"), (_("命名年度"), "designated_year"),
         (_("协作资金投入"), "investment")],
        search=("village__name", "note"), choices=("level",), year=lambda qs, y: qs.designated_in([y]),
        related=("village",), money=("investment",),
        counted={"industry.demo_villages": (lambda qs, y: qs.existing_in([y]), "village_id")}),
}
