"""The `industry` and `exchanges` figures sections.

How years apply (see docs/modules/industry.md and docs/modules/rules.md,
"Investment"):
- investment money counts in the year each tranche arrived (到位日期), and
  引导企业投资 counts the enterprises (家) with an arrival in the years
  (`enterprises_invested`); enterprises that landed (落地日期) in the years
  and the jobs of those investments count by the landing year;
- parks are a stock: co-built by the end of the last year asked for;
- workshops count when open at any time in the years asked for;
- donations by the donation date; village pairs are a stock: pairings of
  level 企-村 / 社会组织-村 in the subtree formed by the end of the last year;
- visits and meetings by their start date;
- agreed items by their own `year` (that of the meeting or agreement they
  came from); overdue is judged against today's date.

Each section is a handful of aggregate queries whatever the data size.
"""

from django.db.models import Count, Q, Sum
from django.utils import timezone

from lib.money import yuan_str
from xiezuo.figures import section
from xiezuo.pairings.models import Pairing

from .models import AgreedItem, Donation, Investment, InvestmentArrival, Park, Visit, Workshop

VILLAGE_PAIR_LEVELS = ("enterprise_village", "social_village")


def _int(value):
    return int(value or 0)


@section("industry")
def industry_section(pairing_ids, years):
    last = max(years)
    inv = Investment.objects.filter(pairing_id__in=pairing_ids).landed_in(years).aggregate(
        enterprises=Count("enterprise", distinct=True), jobs=Sum("jobs"), poverty=Sum("jobs_poverty"))
    arrived = InvestmentArrival.objects.filter(investment__pairing_id__in=pairing_ids).in_years(years).aggregate(
        enterprises=Count("investment__enterprise", distinct=True), amount=Sum("amount"))
    parks = Park.objects.filter(pairing_id__in=pairing_ids).existing_in(years).count()
    ws = Workshop.objects.filter(pairing_id__in=pairing_ids).operating_in(years).aggregate(
        n=Count("pk"), jobs=Sum("jobs"), poverty=Sum("jobs_poverty"))
    don = Donation.objects.filter(pairing_id__in=pairing_ids).in_years(years).aggregate(
        total=Sum("amount"), cash=Sum("amount", filter=Q(form=Donation.CASH)),
        in_kind=Sum("amount", filter=Q(form=Donation.IN_KIND)))
    village_pairs = Pairing.objects.filter(pk__in=pairing_ids, level__in=VILLAGE_PAIR_LEVELS).filter(
        Q(since__isnull=True) | Q(since__year__lte=last)).count()
    return {
        "enterprises_landed": _int(inv["enterprises"]),
        # 引导企业投资: enterprises (家) with money arriving in the years, and that money.
        "enterprises_invested": _int(arrived["enterprises"]),
        "investment_arrived": yuan_str(arrived["amount"]),
        "enterprise_jobs": _int(inv["jobs"]),
        "parks": parks,
        "workshops": _int(ws["n"]),
        "workshop_jobs": _int(ws["jobs"]),
        "jobs_poverty": _int(inv["poverty"]) + _int(ws["poverty"]),
        "donations": yuan_str(don["total"]),
        "donations_cash": yuan_str(don["cash"]),
        "donations_in_kind": yuan_str(don["in_kind"]),
        "village_pairs": village_pairs,
    }


@section("exchanges")
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
