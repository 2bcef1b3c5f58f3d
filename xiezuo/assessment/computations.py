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
    return [(MANUAL, "人工填报（附佐证材料）")] + [(c.key, c.label) for c in COMPUTATIONS.values()]


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


path("funds.received", "到位资金合计", AMOUNT)
path("funds.received_cash", "到位资金（不含捐物折款）", AMOUNT)
path("funds.in_kind_received", "捐物折款", AMOUNT)
path("funds.fiscal_received", "财政援助资金到位", AMOUNT)
path("funds.fiscal_by_level.province", "财政援助资金（省级）", AMOUNT)
path("funds.fiscal_by_level.city", "财政援助资金（市级）", AMOUNT)
path("funds.fiscal_by_level.county", "财政援助资金（县（区）级）", AMOUNT)
path("funds.fiscal_by_level.township", "财政援助资金（乡镇（街道）级）", AMOUNT)
path("funds.social_received", "社会帮扶资金到位", AMOUNT)
path("funds.pairing_received", "结对帮扶资金到位", AMOUNT)
path("funds.allocated", "已安排项目的协作资金", AMOUNT)
path("funds.disbursed", "已拨付资金", AMOUNT)
path("funds.execution_rate", "资金支出进度", RATE)
path("funds.projects", "项目个数", COUNT)
path("funds.categories", "项目大类数", COUNT)
path("funds.started_rate", "项目开工率", RATE)
path("funds.completed_rate", "项目完工率", RATE)
path("funds.beneficiaries.students", "受益在校学生", COUNT)
path("funds.beneficiaries.children", "受益在园幼儿", COUNT)
path("funds.poverty_led", "项目带动脱贫人口（含监测对象）", COUNT)
path("funds.poverty_led_monitored", "项目带动的防止返贫监测对象", COUNT)
path("procurement.tenders", "招标采购项目数", COUNT)
path("procurement.findings_open", "未处理的招投标预警", COUNT)
path("consumption.total", "消费帮扶金额合计", AMOUNT)
path("consumption.purchased", "直接采购西部农产品", AMOUNT)
path("consumption.helped_sales", "帮助销售西部农产品", AMOUNT)
path("labour.training_classes", "培训班期数", COUNT)
path("labour.trainees", "培训人次", COUNT)
path("labour.cadre_trainees", "培训党政干部（人次）", COUNT)
path("labour.cadre_classes", "党政干部培训班期数", COUNT)
path("labour.professional_trainees", "培训专业技术人才（人次）", COUNT)
path("labour.professional_classes", "专业技术人才培训班期数", COUNT)
path("labour.employed", "帮助农村劳动力就业人数", COUNT)
path("labour.employed_new", "新增就业", COUNT)
path("labour.employed_kept", "稳岗就业（此前已就业）", COUNT)
path("labour.employed_poverty", "其中脱贫劳动力", COUNT)
path("labour.employed_stable", "稳定就业", COUNT)
path("labour.by_destination.paired_province", "赴对口省份就业", COUNT)
path("labour.by_destination.other_province", "省外其他地区就业", COUNT)
path("labour.by_destination.in_province", "省内县外就业", COUNT)
path("labour.by_destination.in_county", "县内就业", COUNT)
path("talent.persons", "交流人才人数", COUNT)
path("talent.person_times", "交流人才人次", COUNT)
path("talent.sanzhi_person_times", "“三支”人才人次", COUNT)
path("talent.cadres", "互派党政挂职干部（在岗）", COUNT)
path("talent.cadres_arrived", "互派党政挂职干部（当年新到岗）", COUNT)
path("talent.professionals", "专业技术人才（在岗）", COUNT)
path("talent.professionals_arrived", "专业技术人才（当年新到岗）", COUNT)
for _code, _side in (("e2w", "东部选派到西部"), ("w2e", "西部选派到东部")):
    path(f"talent.cadres_{_code}", f"{_side}的党政挂职干部（在岗）", COUNT)
    path(f"talent.cadres_arrived_{_code}", f"{_side}的党政挂职干部（当年新到岗）", COUNT)
    path(f"talent.professionals_{_code}", f"{_side}的专业技术人才（在岗）", COUNT)
    path(f"talent.professionals_arrived_{_code}", f"{_side}的专业技术人才（当年新到岗）", COUNT)
path("industry.enterprises_landed", "引导落地企业", COUNT)
path("industry.enterprises_invested", "引导企业投资（当年有投资到位的企业）", COUNT)
path("industry.investment_arrived", "企业实际到位投资（按到位日期）", AMOUNT)
path("industry.parks", "共建产业园区", COUNT)
path("industry.workshops", "帮扶车间", COUNT)
path("industry.workshop_jobs", "帮扶车间吸纳就业", COUNT)
path("industry.workshop_jobs_poverty", "帮扶车间吸纳脱贫人口（含监测对象）就业", COUNT)
path("industry.park_enterprises", "共建园区入园企业", COUNT)
path("industry.park_investment_arrived", "共建园区入园企业到位资金", AMOUNT)
path("industry.park_jobs", "共建园区带动就业", COUNT)
path("industry.park_jobs_poverty", "共建园区带动脱贫劳动力就业", COUNT)
path("industry.donations", "社会捐赠", AMOUNT)
path("industry.paired_villages", "企业、社会组织结对帮扶村（村数）", COUNT)
path("industry.village_pair_enterprises", "结对帮扶村的企业", COUNT)
path("industry.village_pair_social_orgs", "结对帮扶村的社会组织", COUNT)
path("industry.demo_villages", "乡村振兴示范村", COUNT)
path("industry.demo_villages_new", "当年命名的乡村振兴示范村", COUNT)
path("pairing.coverage_total", "各层级结对（合计）", COUNT)
for _level, _label in (("township", "镇镇结对"), ("village", "村村结对"), ("school", "校校结对"),
                       ("hospital", "院院结对"), ("enterprise_village", "企村结对"),
                       ("social_village", "社会组织结对村")):
    path(f"pairing.coverage.{_level}", _label, COUNT)
path("exchanges.leader_visits", "党政主要负责同志互访", COUNT)
path("exchanges.joint_meetings", "联席会议", COUNT)
path("exchanges.visits", "互访考察", COUNT)
path("exchanges.agreed_items_done", "已完成合作事项", COUNT)


@computation("labour_local", "省内就业（省内县外及县内）", COUNT)
def labour_local(figures):
    parts = [as_number(lookup(figures, f"labour.by_destination.{code}"), COUNT) for code in ("in_province", "in_county")]
    if None in parts:
        return None
    # Each employed person stands under one destination, so the parts add up.
    return sum(parts)
