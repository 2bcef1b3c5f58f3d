"""The 信息简报 draft: sentences built from a period's figures, written so
that 口径核对 ties each number to the very figure it was built from.

A draft is a lead paragraph and one paragraph per module. Each paragraph
opens with the period (2022年, 2022年一季度, 2022年3月份), which the later
sentences of the paragraph carry; each figure is written with the words of
its national vocabulary row (财政援助资金, 消费帮扶销售额, 培训班 … 期) and
its comparison: 同比 (the year before, the same months of it) for every
draft, 环比 (the period before) for a month or a quarter. Changes are
written to one decimal (同比增长12.5%) and checked by 口径核对 like the
figures (`services._check_change`); a change of 0.0 is written 持平, a
figure whose earlier value is nil gets no change.

Month and quarter drafts state only the figures that carry a date within
their year (`periods.PERIOD_PATHS`); the yearly ones (people employed,
projects, industry, visits) are left to the year's draft, which the
closing note says.
"""

import io
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from lib.dates import cn_date
from lib.money import money
from xiezuo.assessment import reports
from xiezuo.assessment import services as assessment
from xiezuo.assessment.computations import AMOUNT, COUNT, RATE

from . import periods
from .models import Briefing, figure_paths, figure_value
from .services import previous_months

# (heading, [(path, how the figure is written, kind, joins the sentence before)]).
# The words are those of the national vocabulary (migration 0002_national_terms).
MODULES = [
    ("资金到位与项目实施", [
        ("funds.fiscal_received", "到位财政援助资金{v}", AMOUNT, False),
        ("funds.received", "各类到位资金合计{v}", AMOUNT, False),
        ("funds.projects", "实施协作项目{v}个", COUNT, False),
        ("funds.disbursed", "已拨付资金{v}", AMOUNT, False),
        ("funds.execution_rate", "资金支出进度{v}", RATE, False),
    ]),
    ("消费帮扶", [
        ("consumption.total", "实现消费帮扶销售额{v}", AMOUNT, False),
    ]),
    ("劳务协作", [
        ("labour.training_classes", "举办农村劳动力培训班{v}期", COUNT, False),
        ("labour.trainees", "培训农村劳动力{v}人次", COUNT, False),
        ("labour.employed", "帮助农村劳动力就业{v}人", COUNT, False),
        ("labour.employed_poverty", "其中脱贫劳动力{v}人", COUNT, True),
    ]),
    ("人才交流", [
        ("talent.person_times", "两地互派交流人才{v}人次", COUNT, False),
        ("talent.sanzhi_person_times", "其中“三支”人才{v}人次", COUNT, True),
        ("talent.cadres", "在岗党政挂职干部{v}人", COUNT, False),
    ]),
    ("产业合作", [
        ("industry.enterprises_landed", "引导落地企业{v}家", COUNT, False),
        ("industry.investment_arrived", "企业实际到位投资{v}", AMOUNT, False),
        ("industry.workshops", "建成帮扶车间{v}个", COUNT, False),
        ("industry.workshop_jobs", "吸纳就业{v}人", COUNT, True),
        ("industry.parks", "共建产业园区{v}个", COUNT, False),
    ]),
    ("交流互访", [
        ("exchanges.leader_visits", "开展党政主要负责同志互访{v}次", COUNT, False),
        ("exchanges.joint_meetings", "召开联席会议{v}次", COUNT, False),
    ]),
]

# Where each yearly figure comes from (ledger and filter), for the closing note.
YEAR_SOURCES = {
    "funds.fiscal_received": "资金到位台账（资金类型为财政援助资金，按到位年度）",
    "funds.received": "资金到位台账（各类资金，按到位年度）",
    "funds.projects": "项目台账（本年度项目，不含储备、终止项目）",
    "funds.disbursed": "资金拨付台账（本年度项目已确认的拨付）",
    "funds.execution_rate": "资金拨付台账与资金到位台账（已拨付资金除以到位现金）",
    "consumption.total": "消费帮扶台账（销售记录按销售年度汇总）",
    "labour.training_classes": "劳务协作培训台账（培训对象为农村劳动力、本年开班的培训班）",
    "labour.trainees": "劳务协作培训台账（上述培训班的参训名单人次）",
    "labour.employed": "劳务协作就业台账（本年有工作日的就业人员）",
    "labour.employed_poverty": "劳务协作就业台账（其中脱贫户、监测对象）",
    "talent.person_times": "人才交流台账（本年到岗的交流人才人次）",
    "talent.sanzhi_person_times": "人才交流台账（本年到岗的支教、支医、支农人才人次）",
    "talent.cadres": "人才交流台账（本年在岗的党政挂职干部人数）",
    "industry.enterprises_landed": "产业合作招商引资台账（本年落地企业）",
    "industry.investment_arrived": "产业合作招商引资台账（本年实际到位投资）",
    "industry.workshops": "产业合作帮扶车间台账",
    "industry.workshop_jobs": "产业合作帮扶车间台账（吸纳就业人数）",
    "industry.parks": "产业合作共建园区台账",
    "exchanges.leader_visits": "交流互访台账（党政主要负责同志互访）",
    "exchanges.joint_meetings": "交流互访台账（联席会议）",
}
TENTH = Decimal("0.1")


def written(value, kind):
    """A figure as the draft writes it: 4300万元, 31, 83.33%."""
    if kind == AMOUNT:
        return money(value)
    if kind == RATE:
        return f"{format(Decimal(value).normalize(), 'f')}%"
    return str(int(value))


def change_text(name, now, before):
    """同比增长12.5% / 同比下降3.0% / 同比持平; "" when the earlier value is nil."""
    if not before:
        return ""
    pct = ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(TENTH, rounding=ROUND_HALF_UP)
    if pct == 0:
        return f"{name}持平"
    return f"{name}{'增长' if pct > 0 else '下降'}{abs(pct)}%"


class PeriodFigures:
    """The figures of a pairing (with its subtree) for whole years or parts of them."""

    def __init__(self, pairing):
        self.pairing = pairing
        self.ids = assessment.subtree_ids([pairing])
        self.cache = {}

    def value(self, path, year, months=None):
        if months:
            key = (year, months)
            if key not in self.cache:
                self.cache[key] = periods.figures(self.ids[self.pairing.pk], year, *months)
            return self.cache[key].get(path)
        if year not in self.cache:
            self.cache[year] = assessment.figures_by_year(self.ids, [year])[(self.pairing.pk, year)]
        return figure_value(path, self.cache[year])


def side_office(pairing, side):
    """The office a side's 简报 is issued by: its organisation when the
    pairing names one, else its 东西部协作工作领导小组办公室 (as the 自评报告)."""
    if side == "east":
        return pairing.east_org.name if pairing.east_org_id else f"{pairing.east_name}东西部协作工作领导小组办公室"
    return pairing.west_org.name if pairing.west_org_id else f"{pairing.west_name}东西部协作工作领导小组办公室"


def default_issuer(pairing, scope):
    """The office of the user's side; the west office's when the user has
    both sides or neither (leaders, auditors, administrators)."""
    if scope.has(pairing, "east") and not scope.has(pairing, "west"):
        return side_office(pairing, "east")
    return side_office(pairing, "west")


def next_issue_no(pairing, issuer):
    last = Briefing.objects.filter(pairing=pairing, issuer=issuer).order_by("-issue_no").first()
    return (last.issue_no + 1) if last else 1


def draft(briefing):
    """Fill a Briefing's title, lead, sections and sources from the figures
    of its pairing and period. Returns the paths stated."""
    pairing, year, months = briefing.pairing, briefing.year, briefing.months
    figures = PeriodFigures(pairing)
    period = briefing.period_text
    comparisons = [("同比", year - 1, months)]
    if months:
        comparisons.insert(0, ("环比", *previous_months(year, months)))
    sections, sources, stated = [], [], []
    labels = figure_paths()
    for heading, facts in MODULES:
        facts = [f for f in facts if not months or f[0] in periods.PERIOD_PATHS]
        if not facts:
            continue
        sentences, last_shown = [], False
        for path, template, kind, joins in facts:
            value = figures.value(path, year, months)
            if joins and not last_shown:
                continue
            last_shown = bool(value)
            if not value:
                continue
            clause = template.format(v=written(value, kind))
            if kind != RATE and not joins:
                changes = [change_text(name, value, figures.value(path, y, m)) for name, y, m in comparisons]
                clause = "，".join([clause, *[c for c in changes if c]])
            if joins:
                sentences[-1] += "，" + clause
            else:
                sentences.append(clause)
            stated.append(path)
            source = (periods.PERIOD_PATHS if months else YEAR_SOURCES)[path]
            sources.append(f"{labels[path][0]}：{source}")
        n = len(sections)
        title = f"{reports.CN_NUMBERS[n]}、{heading}"
        if sentences:
            text = f"{period}，" + "。".join(sentences) + "。"
        else:
            text = f"{period}暂无相关台账记录。"
        sections.append({"heading": title, "paragraphs": [text]})
    briefing.title = f"{pairing}{period}东西部协作工作情况"
    briefing.lead = (f"{period}，{pairing}东西部协作各项工作有序推进。现将本期资金项目、消费帮扶、劳务协作、"
                     f"人才交流等方面的主要情况简报如下。")
    briefing.sections = sections
    if months:
        sources.append("月度、季度简报只列按日期统计的数字；帮助就业、项目个数、产业合作、交流互访等按年度统计的数字见年度简报。")
        sources.append("环比与上一期（上月、上季度）比较，同比与上年同期比较。")
    else:
        sources.append("同比与上年全年比较。")
    briefing.sources = sources
    return stated


# --- the .docx -----------------------------------------------------------------

RED = RGBColor(0xE6, 0x00, 0x12)
MASTHEAD_SIZE = Pt(36)
TYPE_AREA = Mm(156)


def _rule(paragraph, color="E60012", size=12):
    """A line under a paragraph (the 报头's red rule, the note's thin one)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", color)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def briefing_docx(briefing):
    """Return the 简报 as .docx bytes: the 报头 (红色报头, 第N期, 编发单位
    and date, a red rule), the title, the lead, each section under a Word
    heading, the closing note of sources, page numbers as in the 自评报告."""
    doc = reports.new_document()
    P = reports.paragraph
    head = P(doc, "东西部协作工作简报", reports.TITLE_FONT, MASTHEAD_SIZE, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    head.runs[0].font.color.rgb = RED
    head.paragraph_format.line_spacing = Pt(48)
    P(doc, f"第{briefing.issue_no}期", reports.BODY_FONT, reports.SIZE_3, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    line = P(doc, f"{briefing.issuer}\t{cn_date(briefing.issued_on)}", reports.BODY_FONT, reports.SIZE_3,
             indent=False)
    line.paragraph_format.tab_stops.add_tab_stop(TYPE_AREA, WD_TAB_ALIGNMENT.RIGHT)
    _rule(line)
    P(doc, "", reports.BODY_FONT, reports.SIZE_3, indent=False)
    title = P(doc, "", reports.TITLE_FONT, reports.SIZE_2, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    title.runs[0].text = "\n".join(reports.title_lines(briefing.title))
    P(doc, "", reports.BODY_FONT, reports.SIZE_3, indent=False)
    for text in briefing.lead.splitlines():
        if text.strip():
            P(doc, text.strip(), reports.BODY_FONT, reports.SIZE_3)
    for section in briefing.sections:
        if section.get("heading", "").strip():
            reports.heading(doc, section["heading"].strip(), 1)
        for text in section.get("paragraphs", []):
            for part in text.splitlines():
                if part.strip():
                    P(doc, part.strip(), reports.BODY_FONT, reports.SIZE_3)
    if briefing.sources:
        rule = P(doc, "", reports.BODY_FONT, reports.SIZE_3, indent=False)
        _rule(rule, color="000000", size=6)
        P(doc, "数据来源：", reports.H1_FONT, reports.SIZE_SMALL_4, indent=False)
        for text in briefing.sources:
            P(doc, text, reports.BODY_FONT, reports.SIZE_SMALL_4, indent=False)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def docx_name(briefing):
    return f"briefing-{briefing.pairing_id}-{briefing.year}-{briefing.issue_no}.docx"


def today():
    return timezone.localdate()
