"""The `funds` section of the figures endpoint.

Four aggregate queries whatever the size of the ledger: receipts, projects
(grouped by status and category), confirmed disbursements and beneficiaries.
Years filter receipts by their year and projects, disbursements and
beneficiaries by the year of the project they belong to, so the execution
rate of 2022 compares what 2022's projects paid out with 2022's funds.

Counting rules (docs/modules/rules.md, "Funds"): the execution rate is
disbursed / cash received — 捐物折款 (goods valued in money) funds no
project, so it is left out of the denominator (our judgement, as the
allocation invariant already does); fiscal funds are also given by the
level of government that paid (`fiscal_by_level`), which adds up to
`fiscal_received`. 项目带动脱贫人口 (`poverty_led`) counts the 脱贫人口 and
监测对象 beneficiaries of the years' projects that have started (实施 or
later, not terminated).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum

from lib.money import yuan_str
from xiezuo.figures import by_year, section

from .models import Disbursement, FundReceipt, Project, ProjectBeneficiary

# The kinds each card adds up: the receipt list filters by the same groups.
SOCIAL_KINDS = FundReceipt.GROUPS["social_received"]
# Beneficiaries that are 脱贫人口 in the sense of the texts since 2021:
# "脱贫人口（含防止返贫监测对象）".
POVERTY_KINDS = ("poverty", "monitored")


def execution_base():
    """The key of the execution rate's denominator (setting XIEZUO_FUNDS_EXECUTION_BASE)."""
    return getattr(settings, "XIEZUO_FUNDS_EXECUTION_BASE", "received_cash")


def rate(part, whole):
    """Percent with two places as a string, or None when there is no whole."""
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@section("funds", reads=("funds",))
def funds_section(pairing_ids, years):
    receipts = FundReceipt.objects.filter(pairing_id__in=pairing_ids, year__in=years).aggregate(
        total=Sum("amount"),
        cash=Sum("amount", filter=Q(kind__in=FundReceipt.GROUPS["received_cash"])),
        in_kind=Sum("amount", filter=Q(kind=FundReceipt.IN_KIND)),
        fiscal=Sum("amount", filter=Q(kind=FundReceipt.FISCAL)),
        social=Sum("amount", filter=Q(kind__in=SOCIAL_KINDS)),
        pairing=Sum("amount", filter=Q(kind=FundReceipt.PAIRING)),
        **{f"fiscal_{level}": Sum("amount", filter=Q(kind=FundReceipt.FISCAL, payer_level=level))
           for level, _ in FundReceipt.LEVELS},
    )
    projects = Project.objects.filter(pairing_id__in=pairing_ids, year__in=years)
    rows = list(projects.values("status", "category__code").annotate(n=Count("pk"), coop=Sum("coop_funds"))
                .order_by())
    by_status = {code: 0 for code, _ in Project.STATUSES}
    by_category, funds_by_category, allocated = {}, {}, Decimal("0")
    counted = started = finished = 0
    for row in rows:
        by_status[row["status"]] += row["n"]
        if row["status"] in Project.ALLOCATING:
            counted += row["n"]
            allocated += row["coop"] or 0
            by_category[row["category__code"]] = by_category.get(row["category__code"], 0) + row["n"]
            funds_by_category[row["category__code"]] = (
                funds_by_category.get(row["category__code"], Decimal("0")) + (row["coop"] or 0))
            started += row["n"] if row["status"] in Project.STARTED else 0
            finished += row["n"] if row["status"] in Project.FINISHED else 0
    paid = Disbursement.objects.confirmed().filter(project__in=projects).aggregate(
        total=Sum("amount"), terminated=Sum("amount", filter=Q(project__status=Project.TERMINATED)))
    disbursed = paid["total"] or Decimal("0")
    # What a terminated project already paid out stays allocated to it.
    allocated += paid["terminated"] or 0
    beneficiaries = {code: 0 for code, _ in ProjectBeneficiary.KINDS}
    poverty_led = {code: 0 for code in POVERTY_KINDS}
    for row in (ProjectBeneficiary.objects.filter(project__in=projects.counted()).values("kind")
                .annotate(n=Sum("count"), started=Sum("count", filter=Q(project__in=projects.started())))
                .order_by()):
        beneficiaries[row["kind"]] = row["n"]
        if row["kind"] in poverty_led:
            poverty_led[row["kind"]] = row["started"] or 0
    received_cash = receipts["cash"] or Decimal("0")
    base = execution_base()
    return {
        "received": yuan_str(receipts["total"]),
        # Cash only: what projects can be funded with, the execution rate's base.
        "received_cash": yuan_str(received_cash),
        "in_kind_received": yuan_str(receipts["in_kind"]),
        "fiscal_received": yuan_str(receipts["fiscal"]),
        # 财政援助资金 by the level of government that paid; adds up to fiscal_received.
        "fiscal_by_level": {level: yuan_str(receipts[f"fiscal_{level}"]) for level, _ in FundReceipt.LEVELS},
        "social_received": yuan_str(receipts["social"]),
        # 结对帮扶资金 on its own (the township pairs' money), also inside social_received.
        "pairing_received": yuan_str(receipts["pairing"]),
        "allocated": yuan_str(allocated),
        "disbursed": yuan_str(disbursed),
        "execution_rate": rate(disbursed, received_cash if base == "received_cash" else receipts["total"]),
        "projects": counted,
        "categories": len(by_category),
        "projects_by_status": by_status,
        "projects_by_category": dict(sorted(by_category.items())),
        # Cooperation funds per category: what the dashboard's "funds by
        # category" chart draws (project counts alone hide the money).
        "funds_by_category": {code: yuan_str(v) for code, v in sorted(funds_by_category.items())},
        "started_rate": rate(started, counted),
        "completed_rate": rate(finished, counted),
        "beneficiaries": beneficiaries,
        # 项目带动脱贫人口（含监测对象）: beneficiaries of the years' projects
        # that are under way or done (实施, 完工, 验收, 资产移交); planned,
        # reserve and terminated projects lead nobody out of poverty yet.
        "poverty_led": sum(poverty_led.values()),
        "poverty_led_monitored": poverty_led["monitored"],
    }


@by_year("funds")
def funds_by_year(pairing_ids, years):
    """The trend's funds figures of each year (three grouped queries): what
    `funds_section` gives for that year alone."""
    received = dict(FundReceipt.objects.filter(pairing_id__in=pairing_ids, year__in=years).values("year")
                    .annotate(s=Sum("amount")).order_by().values_list("year", "s"))
    projects = Project.objects.filter(pairing_id__in=pairing_ids, year__in=years)
    counted = dict(projects.filter(status__in=Project.ALLOCATING).values("year").annotate(n=Count("pk")).order_by()
                   .values_list("year", "n"))
    paid = dict(Disbursement.objects.confirmed().filter(project__in=projects).values("project__year")
                .annotate(s=Sum("amount")).order_by().values_list("project__year", "s"))
    return {y: {"received": yuan_str(received.get(y)), "disbursed": yuan_str(paid.get(y) or Decimal("0")),
                "projects": counted.get(y, 0)} for y in years}
