"""The `industry` and `exchanges` figures sections.

How years apply (see docs/modules/industry.md and docs/modules/rules.md,
"Investment"):
- investment money counts in the year each tranche arrived (到位日期), and
  引导企业投资 counts the enterprises (家) with an arrival in the years
  (`enterprises_invested`); enterprises that landed (落地日期) in the years
  and the jobs of those investments count by the landing year;
- parks are a stock: co-built by the end of the last year asked for;
- workshops count by month: a month counts when the workshop was open,
  recognised by then, and had at least XIEZUO_WORKSHOP_MIN_POVERTY_WORKERS
  (5) 脱贫人口 including 防止返贫监测对象 at work; a workshop counts in the
  years when it counted in at least XIEZUO_WORKSHOP_MIN_MONTHS (1) months, and
  its jobs are those of its last counted month (see `workshop_figures`);
- park results (入园企业, 带动就业) are a stock like the parks: investments
  in a co-built park landed by the end of the last year; the park's 到位资金
  counts the tranches of those investments arriving in the years;
- donations by the donation date; 企业、社会组织结对帮扶村 is three counts of
  the pairings of level 企-村 / 社会组织-村 in the subtree formed by the end of
  the last year: distinct enterprises, distinct social organisations (their
  `east_org`; a pairing without one is a party of its own) and distinct
  villages (`west_region`), so one village paired twice counts once;
- 乡村振兴示范村 are a stock by the year of designation (distinct villages);
- visits and meetings by their start date;
- agreed items by their own `year` (that of the meeting or agreement they
  came from); overdue is judged against today's date.

Each section is a handful of aggregate queries whatever the data size.
"""

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from lib.money import yuan_str
from xiezuo.figures import by_year, section
from xiezuo.pairings.models import Pairing

from .models import (AgreedItem, DemoVillage, Donation, Investment, InvestmentArrival, Park, Visit, Workshop,
                     WorkshopMonth)

VILLAGE_PAIR_LEVELS = Pairing.VILLAGE_PAIR_LEVELS


def _int(value):
    return int(value or 0)


def village_pair_figures(pairing_ids, last):
    """Count the 企-村 and 社会组织-村 pairings formed by the end of `last`:
    distinct enterprises, social organisations and villages (one query; a
    tree holds tens or hundreds of such pairings, not millions)."""
    rows = (Pairing.objects.filter(pk__in=pairing_ids, level__in=VILLAGE_PAIR_LEVELS)
            .formed_by(last)
            .values_list("pk", "level", "east_org_id", "west_region_id"))
    parties = {level: set() for level in VILLAGE_PAIR_LEVELS}
    villages = set()
    for pk, level, east_org, village in rows:
        # A pairing naming no eastern unit is a party of its own.
        parties[level].add(east_org if east_org else f"pairing-{pk}")
        villages.add(village)
    return {
        "village_pair_enterprises": len(parties["enterprise_village"]),
        "village_pair_social_orgs": len(parties["social_village"]),
        "paired_villages": len(villages),
    }


def workshop_figures(pairing_ids, years, threshold=None, min_months=None):
    """Workshops of the years by the monthly rule, in one query.

    - `workshops`: workshops that counted in at least `min_months` months of
      the years (setting XIEZUO_WORKSHOP_MIN_MONTHS, default 1: our judgement);
    - `workshop_months`: the months they counted in, added up;
    - `workshop_jobs` / `workshop_jobs_poverty`: their head counts (脱贫 with
      监测对象) in the last month each counted — the jobs standing at the end
      of the period, like a 年末 figure (our judgement; no text found).
    The query returns one row per counted month (at most 12 a year per
    workshop), folded here.
    """
    # The workshops that count: the rule the workshop list's ?counted= shows.
    workshops = Workshop.objects.filter(pairing_id__in=pairing_ids).counted_in(years, threshold, min_months)
    rows = (WorkshopMonth.objects.filter(workshop__in=workshops).in_years(years)
            .counting(threshold).order_by("workshop_id", "month")
            .values_list("workshop_id", "employed", "poverty", "monitored"))
    per_workshop = {}
    for workshop_id, employed, poverty, monitored in rows:
        months, _, _ = per_workshop.get(workshop_id, (0, 0, 0))
        per_workshop[workshop_id] = (months + 1, employed, poverty + monitored)  # the last month wins
    counted = list(per_workshop.values())
    return {
        "workshops": len(counted),
        "workshop_months": sum(v[0] for v in counted),
        "workshop_jobs": sum(v[1] for v in counted),
        "workshop_jobs_poverty": sum(v[2] for v in counted),
    }


@section("industry", reads=("industry", "pairings.pairing"), recount=True)
def industry_section(pairing_ids, years):
    last = max(years)
    inv = Investment.objects.filter(pairing_id__in=pairing_ids).landed_in(years).aggregate(
        enterprises=Count("enterprise", distinct=True), jobs=Sum("jobs"), poverty=Sum("jobs_poverty"))
    # 引导企业投资: the enterprises of the arrivals `InvestmentArrival.in_years`
    # gives, the rule the investment list's `arrived_in` (?counted=) reads too.
    arrived = InvestmentArrival.objects.filter(investment__pairing_id__in=pairing_ids).in_years(years).aggregate(
        enterprises=Count("investment__enterprise", distinct=True), arrived=Sum("amount"),
        in_parks=Sum("amount", filter=Q(investment__park__since_year__lte=last)))
    parks = Park.objects.filter(pairing_id__in=pairing_ids).existing_in(years).count()
    in_parks = Investment.objects.filter(pairing_id__in=pairing_ids).in_parks_by(last).aggregate(
        enterprises=Count("enterprise", distinct=True), jobs=Sum("jobs"), poverty=Sum("jobs_poverty"))
    demo = DemoVillage.objects.filter(pairing_id__in=pairing_ids).existing_in(years).aggregate(
        villages=Count("village", distinct=True),
        new=Count("village", distinct=True, filter=Q(designated_year__in=years)))
    ws = workshop_figures(pairing_ids, years)
    don = Donation.objects.filter(pairing_id__in=pairing_ids).in_years(years).aggregate(
        total=Sum("amount"), cash=Sum("amount", filter=Q(form=Donation.CASH)),
        in_kind=Sum("amount", filter=Q(form=Donation.IN_KIND)))
    return {
        "enterprises_landed": _int(inv["enterprises"]),
        # 引导企业投资: enterprises (家) with money arriving in the years, and that money.
        "enterprises_invested": _int(arrived["enterprises"]),
        "investment_arrived": yuan_str(arrived["arrived"]),
        "enterprise_jobs": _int(inv["jobs"]),
        "parks": parks,
        # Park results: enterprises in the parks (入园企业), their money arrived
        # in the years (到位资金) and the jobs they brought (带动就业).
        "park_enterprises": _int(in_parks["enterprises"]),
        "park_investment_arrived": yuan_str(arrived["in_parks"]),
        "park_jobs": _int(in_parks["jobs"]),
        "park_jobs_poverty": _int(in_parks["poverty"]),
        **ws,
        "jobs_poverty": _int(inv["poverty"]) + ws["workshop_jobs_poverty"],
        "donations": yuan_str(don["total"]),
        "donations_cash": yuan_str(don["cash"]),
        "donations_in_kind": yuan_str(don["in_kind"]),
        **village_pair_figures(pairing_ids, last),
        # 乡村振兴示范村 designated by the end of the years, and of them in the years.
        "demo_villages": _int(demo["villages"]),
        "demo_villages_new": _int(demo["new"]),
    }


@section("exchanges", reads=("industry",))
def exchanges_section(pairing_ids, years):
    visits = Visit.objects.filter(pairing_id__in=pairing_ids).started_in(years).aggregate(
        total=Count("pk"),
        leader=Count("pk", filter=Q(kind=Visit.LEADER)),
        meetings=Count("pk", filter=Q(kind=Visit.JOINT_MEETING)))
    today = timezone.localdate()
    items = AgreedItem.objects.filter(pairing_id__in=pairing_ids).in_years(years).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=AgreedItem.DONE)),
        overdue=Count("pk", filter=Q(deadline__lt=today) & ~Q(status__in=AgreedItem.NEVER_OVERDUE)))
    return {
        "leader_visits": visits["leader"],
        "joint_meetings": visits["meetings"],
        "visits": visits["total"],
        "agreed_items": items["total"],
        "agreed_items_done": items["done"],
        "agreed_items_overdue": items["overdue"],
    }


@by_year("industry")
def industry_by_year(pairing_ids, years):
    """The trend's 引导企业投资 of each year: enterprises with a tranche
    arriving in it (one grouped query)."""
    rows = (InvestmentArrival.objects.filter(investment__pairing_id__in=pairing_ids).in_years(years)
            .annotate(y=ExtractYear("date")).values("y")
            .annotate(n=Count("investment__enterprise", distinct=True)).order_by().values_list("y", "n"))
    found = dict(rows)
    return {y: {"enterprises_invested": _int(found.get(y))} for y in years}
