"""The 入库公示 notice of a listed entry: a text generated from the entry
(the full notice with boards, photos and a period comes later)."""

import io

from django.utils.translation import gettext
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from lib.dates import cn_date
from lib.money import wan
from xiezuo.assessment.reports import BODY_FONT, PAGE, SIZE_2, SIZE_3, TITLE_FONT, paragraph, title_lines


def notice(entry):
    """Return {"title", "lines", "hotline", "date"} of the notice."""
    place = entry.place or "—"
    funds = gettext("计划总投资%(total)s，其中东西部协作资金%(coop)s") % {
        "total": wan(entry.total_funds), "coop": wan(entry.coop_funds)}
    if entry.other_funds:
        funds += gettext("，其他资金%(other)s") % {"other": wan(entry.other_funds)}
        if entry.other_sources:
            funds += gettext("（%(sources)s）") % {"sources": entry.other_sources}
    lines = [
        (gettext("项目名称"), entry.name),
        (gettext("申报村（单位）"), entry.applicant or "—"),
        (gettext("建设地点"), place),
        (gettext("项目类别"), str(entry.category)),
        (gettext("建设内容"), entry.content or "—"),
        (gettext("资金规模及来源"), funds),
        (gettext("实施单位"), str(entry.implementing_unit or "—")),
        (gettext("预期效益"), entry.benefit or "—"),
        (gettext("联农带农机制"), entry.linkage or "—"),
    ]
    hotline = entry.hotline or "—"
    intro = gettext("经村申报、乡镇审核、县级审定，下列项目已纳入%(year)s年度东西部协作项目库，现予公示。"
               "如有异议，请在公示期内向监督电话反映。") % {"year": entry.year}
    return {"title": gettext("%(year)s年度东西部协作项目入库公示") % {"year": entry.year}, "intro": intro,
            "lines": lines, "hotline": hotline, "date": cn_date(entry.listed_on), "issuer": str(entry.pairing)}


def notice_docx(entry):
    """Return the notice as .docx bytes, in the type of the reports."""
    data = notice(entry)
    doc = Document()
    section = doc.sections[0]
    for attr, value in PAGE.items():
        setattr(section, attr, value)
    title = paragraph(doc, "", TITLE_FONT, SIZE_2, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    title.runs[0].text = "\n".join(title_lines(data["title"]))
    paragraph(doc, "", BODY_FONT, SIZE_3, indent=False)
    paragraph(doc, data["intro"], BODY_FONT, SIZE_3)
    for label, value in data["lines"]:
        paragraph(doc, f"{label}：{value}", BODY_FONT, SIZE_3)
    paragraph(doc, gettext("监督电话：%(hotline)s") % {"hotline": data["hotline"]}, BODY_FONT, SIZE_3)
    paragraph(doc, "", BODY_FONT, SIZE_3, indent=False)
    paragraph(doc, data["issuer"], BODY_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    paragraph(doc, data["date"], BODY_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
