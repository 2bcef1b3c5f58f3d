"""Named computations: how an indicator's actual is read from the figures.

An indicator names a computation by key. Most are a path into the figures
dict (`funds.fiscal_received`); a few are small functions registered with
`@computation`. A computation whose section is missing (its module is not
installed yet) yields None — an unknown actual, never an error.

Each computation has a kind: "amount" (yuan, Decimal), "count" (int) or
"rate" (percent, Decimal). The kind decides how targets are converted
(万元 targets become yuan) and how values are serialised.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable

from django.utils.translation import gettext_lazy, gettext_noop

MANUAL = "manual"
AMOUNT, COUNT, RATE = "amount", "count", "rate"


@dataclass(frozen=True)
class Computation:
    key: str
    label: str
    kind: str
    fn: Callable


COMPUTATIONS = {}


def lookup(figures, path):
    """Return the value at a dotted path of the figures, or None when any
    part is missing."""
    node = figures
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def as_number(value, kind):
    """Turn a figures value into Decimal (amounts, rates) or int (counts)."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return int(number) if kind == COUNT else number


def path(key, label, kind, dotted=None):
    """Register a computation that reads one path of the figures."""
    dotted = dotted or key
    COMPUTATIONS[key] = Computation(key, label, kind, lambda figures: as_number(lookup(figures, dotted), kind))


def computation(key, label, kind):
    """Register a function `(figures) -> number or None` as a computation."""

    def register(fn):
        COMPUTATIONS[key] = Computation(key, label, kind, fn)
        return fn

    return register


def choices():
    """(key, label) in the reader's language; the labels themselves stay
    Chinese (written as the offices write them, and typed in 分项 lines)."""
    return [(MANUAL, gettext_lazy("人工填报（附佐证材料）"))] + [(c.key, gettext_lazy(c.label)) for c in COMPUTATIONS.values()]


def evaluate(key, figures):
    comp = COMPUTATIONS.get(key)
    return None if comp is None else comp.fn(figures)


def kind_of(key, unit=""):
    comp = COMPUTATIONS.get(key)
    if comp is not None:
        return comp.kind
    if unit in ("万元", "元", "亿元"):
        return AMOUNT
    return RATE if unit == "%" else COUNT


path("funds.received", gettext_noop("到位资金合计"), AMOUNT)
path("funds.received_cash", gettext_noop("到位资金（不含捐物折款）"), AMOUNT)
path("funds.in_kind_received", gettext_noop("捐物折款"), AMOUNT)
path("funds.fiscal_received", gettext_noop("财政援助资金到位"), AMOUNT)
path("funds.fiscal_by_level.province", gettext_noop("财政援助资金（省级）"), AMOUNT)
path("funds.fiscal_by_level.city", gettext_noop("财政援助资金（市级）"), AMOUNT)
path("funds.fiscal_by_level.county", gettext_noop("财政援助资金（县（区）级）"), AMOUNT)
path("funds.fiscal_by_level.township", gettext_noop("财政援助资金（乡镇（街道）级）"), AMOUNT)
path("funds.social_received", gettext_noop("社会帮扶资金到位"), AMOUNT)
path("funds.pairing_received", gettext_noop("结对帮扶资金到位"), AMOUNT)
path("funds.allocated", gettext_noop("已安排项目的协作资金"), AMOUNT)
path("funds.disbursed", gettext_noop("已拨付资金"), AMOUNT)
path("funds.execution_rate", gettext_noop("资金支出进度"), RATE)
path("funds.projects", gettext_noop("项目个数"), COUNT)
path("funds.categories", gettext_noop("项目大类数"), COUNT)
path("funds.started_rate", gettext_noop("项目开工率"), RATE)
path("funds.completed_rate", gettext_noop("项目完工率"), RATE)
path("funds.beneficiaries.students", gettext_noop("受益在校学生"), COUNT)
path("funds.beneficiaries.children", gettext_noop("受益在园幼儿"), COUNT)
path("funds.poverty_led", gettext_noop("项目带动脱贫人口（含监测对象）"), COUNT)
path("funds.poverty_led_monitored", gettext_noop("项目带动的防止返贫监测对象"), COUNT)
path("procurement.tenders", gettext_noop("招标采购项目数"), COUNT)
path("procurement.findings_open", gettext_noop("未处理的招投标预警"), COUNT)
path("consumption.total", gettext_noop("消费帮扶金额合计"), AMOUNT)
path("consumption.purchased", gettext_noop("直接采购西部农产品"), AMOUNT)
path("consumption.helped_sales", gettext_noop("帮助销售西部农产品"), AMOUNT)
path("labour.training_classes", gettext_noop("培训班期数"), COUNT)
path("labour.trainees", gettext_noop("培训人次"), COUNT)
path("labour.cadre_trainees", gettext_noop("培训党政干部（人次）"), COUNT)
path("labour.cadre_classes", gettext_noop("党政干部培训班期数"), COUNT)
path("labour.professional_trainees", gettext_noop("培训专业技术人才（人次）"), COUNT)
path("labour.professional_classes", gettext_noop("专业技术人才培训班期数"), COUNT)
path("labour.employed", gettext_noop("帮助农村劳动力就业人数"), COUNT)
path("labour.employed_new", gettext_noop("新增就业"), COUNT)
path("labour.employed_kept", gettext_noop("稳岗就业（此前已就业）"), COUNT)
path("labour.employed_poverty", gettext_noop("其中脱贫劳动力"), COUNT)
path("labour.employed_stable", gettext_noop("稳定就业"), COUNT)
path("labour.by_destination.paired_province", gettext_noop("赴对口省份就业"), COUNT)
path("labour.by_destination.other_province", gettext_noop("省外其他地区就业"), COUNT)
path("labour.by_destination.in_province", gettext_noop("省内县外就业"), COUNT)
path("labour.by_destination.in_county", gettext_noop("县内就业"), COUNT)
path("talent.persons", gettext_noop("交流人才人数"), COUNT)
path("talent.person_times", gettext_noop("交流人才人次"), COUNT)
path("talent.sanzhi_person_times", gettext_noop("“三支”人才人次"), COUNT)
path("talent.cadres", gettext_noop("互派党政挂职干部（在岗）"), COUNT)
path("talent.cadres_arrived", gettext_noop("互派党政挂职干部（当年新到岗）"), COUNT)
path("talent.professionals", gettext_noop("专业技术人才（在岗）"), COUNT)
path("talent.professionals_arrived", gettext_noop("专业技术人才（当年新到岗）"), COUNT)
path("talent.cadres_e2w", gettext_noop("东部选派到西部的党政挂职干部（在岗）"), COUNT)
path("talent.cadres_arrived_e2w", gettext_noop("东部选派到西部的党政挂职干部（当年新到岗）"), COUNT)
path("talent.professionals_e2w", gettext_noop("东部选派到西部的专业技术人才（在岗）"), COUNT)
path("talent.professionals_arrived_e2w", gettext_noop("东部选派到西部的专业技术人才（当年新到岗）"), COUNT)
path("talent.cadres_w2e", gettext_noop("西部选派到东部的党政挂职干部（在岗）"), COUNT)
path("talent.cadres_arrived_w2e", gettext_noop("西部选派到东部的党政挂职干部（当年新到岗）"), COUNT)
path("talent.professionals_w2e", gettext_noop("西部选派到东部的专业技术人才（在岗）"), COUNT)
path("talent.professionals_arrived_w2e", gettext_noop("西部选派到东部的专业技术人才（当年新到岗）"), COUNT)
path("industry.enterprises_landed", gettext_noop("引导落地企业"), COUNT)
path("industry.enterprises_invested", gettext_noop("引导企业投资（当年有投资到位的企业）"), COUNT)
path("industry.investment_arrived", gettext_noop("企业实际到位投资（按到位日期）"), AMOUNT)
path("industry.parks", gettext_noop("共建产业园区"), COUNT)
path("industry.workshops", gettext_noop("帮扶车间"), COUNT)
path("industry.workshop_jobs", gettext_noop("帮扶车间吸纳就业"), COUNT)
path("industry.workshop_jobs_poverty", gettext_noop("帮扶车间吸纳脱贫人口（含监测对象）就业"), COUNT)
path("industry.park_enterprises", gettext_noop("共建园区入园企业"), COUNT)
path("industry.park_investment_arrived", gettext_noop("共建园区入园企业到位资金"), AMOUNT)
path("industry.park_jobs", gettext_noop("共建园区带动就业"), COUNT)
path("industry.park_jobs_poverty", gettext_noop("共建园区带动脱贫劳动力就业"), COUNT)
path("industry.donations", gettext_noop("社会捐赠"), AMOUNT)
path("industry.paired_villages", gettext_noop("企业、社会组织结对帮扶村（村数）"), COUNT)
path("industry.village_pair_enterprises", gettext_noop("结对帮扶村的企业"), COUNT)
path("industry.village_pair_social_orgs", gettext_noop("结对帮扶村的社会组织"), COUNT)
path("industry.demo_villages", gettext_noop("乡村振兴示范村"), COUNT)
path("industry.demo_villages_new", gettext_noop("当年命名的乡村振兴示范村"), COUNT)
path("pairing.coverage_total", gettext_noop("各层级结对（合计）"), COUNT)
for _level, _label in (("township", gettext_noop("镇镇结对")), ("village", gettext_noop("村村结对")), ("school", gettext_noop("校校结对")),
                       ("hospital", gettext_noop("院院结对")), ("enterprise_village", gettext_noop("企村结对")),
                       ("social_village", gettext_noop("社会组织结对村"))):
    path(f"pairing.coverage.{_level}", _label, COUNT)
path("exchanges.leader_visits", gettext_noop("党政主要负责同志互访"), COUNT)
path("exchanges.joint_meetings", gettext_noop("联席会议"), COUNT)
path("exchanges.visits", gettext_noop("互访考察"), COUNT)
path("exchanges.agreed_items_done", gettext_noop("已完成合作事项"), COUNT)


@computation("labour_local", gettext_noop("省内就业（省内县外及县内）"), COUNT)
def labour_local(figures):
    parts = [as_number(lookup(figures, f"labour.by_destination.{code}"), COUNT) for code in ("in_province", "in_county")]
    if None in parts:
        return None
    # Each employed person stands under one destination, so the parts add up.
    return sum(parts)
