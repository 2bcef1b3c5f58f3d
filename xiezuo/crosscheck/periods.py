"""Figures of a part of a year (a month, a quarter, 1—6月): the few ledger
figures that carry a date within their year, counted by date range.

The yearly figures (`xiezuo/figures.py`) are what the dashboard shows; most
of them can only be counted per year (people employed in a year, projects of
a year, money paid out on a year's projects). These can be dated, and each
is counted here so that the twelve months of a year add up to the year's
figure of the figures sections:

- 到位资金 / 财政援助资金: the receipts of the year (`FundReceipt.year`) whose
  到位日期 lies in the months (a receipt of the year dated outside it counts
  in no month: our judgement, it is rare and shows up as a gap);
- 消费帮扶金额: the sales totals of the year's months (`SaleTotal.month`);
- 培训班期数 / 培训人次: the classes for rural workers starting in the months
  (a class counts in the month it starts, as it counts in the year it starts);
- 交流人才 / “三支”人才 人次: the stays begun in the months (arrivals).

Every other figure is left out of month and quarter texts: the 口径核对
answers `unknown` for it, and the 简报 draft does not state it.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum

from lib.money import quantize

# path → the label a 简报 names its source with (ledger and filter).
PERIOD_PATHS = {
    "funds.received": "资金到位台账（到位日期在期内的本年度到位资金）",
    "funds.fiscal_received": "资金到位台账（资金类型为财政援助资金，到位日期在期内）",
    "consumption.total": "消费帮扶台账（销售记录按销售月份汇总）",
    "labour.training_classes": "劳务协作培训台账（培训对象为农村劳动力、开班日期在期内的培训班）",
    "labour.trainees": "劳务协作培训台账（上述培训班的参训名单人次）",
    "talent.person_times": "人才交流台账（到岗日期在期内的交流人才）",
    "talent.sanzhi_person_times": "人才交流台账（到岗日期在期内的支教、支医、支农人才）",
}


def month_bounds(year, first, last):
    """The first and last day of months first..last of a year."""
    start = datetime.date(year, first, 1)
    end = datetime.date(year + (last == 12), last % 12 + 1, 1) - datetime.timedelta(days=1)
    return start, end


def figures(pairing_ids, year, first, last):
    """Return {path: value} of the period figures for pairings (a pairing
    and its subtree), months first..last of a year. Amounts are Decimal
    yuan, counts int."""
    from xiezuo.consumption.models import SaleTotal
    from xiezuo.funds.models import FundReceipt
    from xiezuo.labour.models import TalentExchange, TrainingClass

    start, end = month_bounds(year, first, last)
    receipts = FundReceipt.objects.filter(pairing_id__in=pairing_ids, year=year, date__range=(start, end)).aggregate(
        total=Sum("amount"), fiscal=Sum("amount", filter=Q(kind=FundReceipt.FISCAL)))
    fen = SaleTotal.objects.filter(pairing_id__in=pairing_ids, year=year, month__gte=first,
                                   month__lte=last).aggregate(fen=Sum("amount_fen"))["fen"] or 0
    classes = TrainingClass.objects.filter(pairing_id__in=pairing_ids, audience=TrainingClass.LABOUR,
                                           start__range=(start, end)).aggregate(
        n=Count("pk", distinct=True), trainees=Count("trainees"))
    stays = TalentExchange.objects.filter(pairing_id__in=pairing_ids, start__range=(start, end)).aggregate(
        n=Count("pk"), sanzhi=Count("pk", filter=Q(kind__in=TalentExchange.SANZHI)))
    return {
        "funds.received": quantize(receipts["total"] or 0),
        "funds.fiscal_received": quantize(receipts["fiscal"] or 0),
        "consumption.total": quantize(Decimal(fen) / 100),
        "labour.training_classes": classes["n"],
        "labour.trainees": classes["trainees"],
        "talent.person_times": stays["n"],
        "talent.sanzhi_person_times": stays["sanzhi"],
    }
