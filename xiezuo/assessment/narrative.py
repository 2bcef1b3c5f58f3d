"""Work areas of the self-evaluation and their narratives drafted from the
figures. Offices edit the drafts before exporting the report."""

from decimal import Decimal

from django.utils.translation import gettext_noop

from lib.money import wan

from .computations import lookup

# code, title (the report's （一）（二）… headings)
WORK_AREAS = [
    ("organisation", gettext_noop("组织领导")),
    ("funds", gettext_noop("资金投入与项目实施")),
    ("industry", gettext_noop("产业合作")),
    ("labour", gettext_noop("劳务协作")),
    ("talent", gettext_noop("人才交流")),
    ("consumption", gettext_noop("消费帮扶")),
    ("supervision", gettext_noop("项目监管")),
]
NO_DATA = "（台账暂无本项数据，请据实补充。）"


def _n(figures, dotted):
    value = lookup(figures, dotted)
    return None if value is None or isinstance(value, (dict, list)) else value


def _w(figures, dotted):
    value = _n(figures, dotted)
    return None if value is None else wan(Decimal(str(value)))


def _sentence(parts):
    """Join the parts whose figures are known; None when none is."""
    known = [text for text, *values in parts if all(v is not None for v in values)]
    return "，".join(known) + "。" if known else None


def draft(area, f):
    if area == "organisation":
        s = _sentence([
            (f"党政主要负责同志互访{_n(f, 'exchanges.leader_visits')}次", _n(f, "exchanges.leader_visits")),
            (f"召开联席会议{_n(f, 'exchanges.joint_meetings')}次", _n(f, "exchanges.joint_meetings")),
            (f"商定合作事项{_n(f, 'exchanges.agreed_items')}项、已完成{_n(f, 'exchanges.agreed_items_done')}项",
             _n(f, "exchanges.agreed_items"), _n(f, "exchanges.agreed_items_done")),
        ])
    elif area == "funds":
        s = _sentence([
            (f"到位财政援助资金{_w(f, 'funds.fiscal_received')}", _n(f, "funds.fiscal_received")),
            (f"社会帮扶资金{_w(f, 'funds.social_received')}", _n(f, "funds.social_received")),
            (f"实施协作项目{_n(f, 'funds.projects')}个、涵盖{_n(f, 'funds.categories')}个大类",
             _n(f, "funds.projects"), _n(f, "funds.categories")),
            (f"已拨付资金{_w(f, 'funds.disbursed')}，支出进度{_n(f, 'funds.execution_rate')}%",
             _n(f, "funds.disbursed"), _n(f, "funds.execution_rate")),
            (f"项目惠及在校学生{_n(f, 'funds.beneficiaries.students')}名、在园幼儿{_n(f, 'funds.beneficiaries.children')}名",
             _n(f, "funds.beneficiaries.students"), _n(f, "funds.beneficiaries.children")),
        ])
    elif area == "industry":
        s = _sentence([
            (f"引导{_n(f, 'industry.enterprises_invested')}家企业投资，当年实际到位投资{_w(f, 'industry.investment_arrived')}",
             _n(f, "industry.enterprises_invested"), _n(f, "industry.investment_arrived")),
            (f"共建产业园区{_n(f, 'industry.parks')}个", _n(f, "industry.parks")),
            (f"建成帮扶车间{_n(f, 'industry.workshops')}个、吸纳就业{_n(f, 'industry.workshop_jobs')}人",
             _n(f, "industry.workshops"), _n(f, "industry.workshop_jobs")),
            (f"{_n(f, 'industry.village_pair_enterprises')}家企业、{_n(f, 'industry.village_pair_social_orgs')}个社会组织"
             f"结对帮扶{_n(f, 'industry.paired_villages')}个村", _n(f, "industry.paired_villages")),
        ])
    elif area == "labour":
        s = _sentence([
            (f"举办劳动技能培训班{_n(f, 'labour.training_classes')}期、培训{_n(f, 'labour.trainees')}人次",
             _n(f, "labour.training_classes"), _n(f, "labour.trainees")),
            (f"帮助农村劳动力就业{_n(f, 'labour.employed')}人，其中脱贫劳动力{_n(f, 'labour.employed_poverty')}人",
             _n(f, "labour.employed"), _n(f, "labour.employed_poverty")),
            (f"其中新增就业{_n(f, 'labour.employed_new')}人、稳岗就业{_n(f, 'labour.employed_kept')}人",
             _n(f, "labour.employed_new"), _n(f, "labour.employed_kept")),
            (f"赴对口省份就业{_n(f, 'labour.by_destination.paired_province')}人",
             _n(f, "labour.by_destination.paired_province")),
        ])
    elif area == "talent":
        s = _sentence([
            (f"双向交流人才{_n(f, 'talent.person_times')}人次", _n(f, "talent.person_times")),
            (f"其中“三支”人才{_n(f, 'talent.sanzhi_person_times')}人次", _n(f, "talent.sanzhi_person_times")),
            (f"互派党政挂职干部在岗{_n(f, 'talent.cadres')}人（其中当年新到岗{_n(f, 'talent.cadres_arrived')}人）",
             _n(f, "talent.cadres"), _n(f, "talent.cadres_arrived")),
        ])
    elif area == "consumption":
        s = _sentence([
            (f"采购、帮助销售西部农产品{_w(f, 'consumption.total')}", _n(f, "consumption.total")),
            (f"其中直接采购{_w(f, 'consumption.purchased')}、帮助销售{_w(f, 'consumption.helped_sales')}",
             _n(f, "consumption.purchased"), _n(f, "consumption.helped_sales")),
        ])
    elif area == "supervision":
        s = _sentence([
            (f"纳入监督的招标采购{_n(f, 'procurement.tenders')}项", _n(f, "procurement.tenders")),
            (f"尚未处理的预警{_n(f, 'procurement.findings_open')}条", _n(f, "procurement.findings_open")),
        ])
    else:
        s = None
    return s or NO_DATA


def draft_all(figures):
    return {code: draft(code, figures) for code, _ in WORK_AREAS}
