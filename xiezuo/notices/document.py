"""The text of a notice and its .docx: the one writer of every 公示/公告
document (the library's 入库公示 goes through it too)."""

import io

from django.utils.translation import gettext, gettext_lazy as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from lib.dates import cn_date
from lib.money import wan


def fund_text(total, coop, other, sources):
    text = gettext("计划总投资%(total)s，其中东西部协作资金%(coop)s") % {"total": wan(total), "coop": wan(coop)}
    if other:
        text += gettext("，其他资金%(other)s") % {"other": wan(other)}
        if sources:
            text += gettext("（%(sources)s）") % {"sources": sources}
    return text


def draft_content(subject, stage):
    """Return the content fields of a new notice copied from a project or a
    library entry (the stage decides the title)."""
    from .models import STAGES

    is_entry = stage == "listing"
    unit = subject.implementing_unit
    return {
        "title": f"{subject.year}年度东西部协作项目{dict(STAGES)[stage]}：{subject.name}"[:200],
        "name": subject.name, "place": subject.place,
        "content": subject.content if is_entry else (subject.description or subject.name),
        "coop_funds": subject.coop_funds, "other_funds": subject.other_funds,
        "fund_sources": (subject.other_sources if is_entry else "") or "东西部协作资金",
        "implementing_unit": str(unit) if unit else "",
        "benefit": subject.benefit if is_entry else subject.linkage_note,
        "linkage": subject.linkage if is_entry else subject.linkage_display(),
        "hotline": getattr(subject, "hotline", "") or "",
        "results": "",
    }


INTROS = {
    "listing": _("经村申报、乡镇审核、县级审定，下列项目拟纳入东西部协作项目库，现予公示。"),
    "plan": _("下列东西部协作项目已列入年度计划并立项，现予公告。"),
    "implementation": _("下列东西部协作项目正在实施，现将实施情况予以公示。"),
    "result": _("下列东西部协作项目已完工验收，现将验收结果予以公告。"),
}


def notice_data(notice):
    """Return {"title", "intro", "lines", "hotline", "period", "date", "issuer"} of a stored notice."""
    lines = [
        (gettext("项目名称"), notice.name),
        (gettext("建设地点"), notice.place or "—"),
        (gettext("建设内容"), notice.content or "—"),
        (gettext("资金规模及来源"), fund_text(notice.total_funds, notice.coop_funds, notice.other_funds,
                                        notice.fund_sources)),
        (gettext("实施单位"), notice.implementing_unit or "—"),
        (gettext("预期效益"), notice.benefit or "—"),
        (gettext("联农带农机制"), notice.linkage or "—"),
    ]
    if notice.stage == "result" or notice.results:
        lines.append((gettext("实施结果"), notice.results or "—"))
    intro = str(INTROS[notice.stage]) + gettext("如有异议，请在公示期内向监督电话反映。")
    period = gettext("公示期：%(start)s至%(end)s") % {"start": cn_date(notice.start_date),
                                                 "end": cn_date(notice.end_date)}
    return {"title": notice.title, "intro": intro, "lines": lines, "hotline": notice.hotline or "—",
            "period": period, "date": cn_date(notice.published_on or notice.start_date),
            "issuer": str(notice.pairing)}


def write_docx(data):
    """Return a notice (the dict of `notice_data`) as .docx bytes, in the type of the reports."""
    from xiezuo.assessment.reports import BODY_FONT, PAGE, SIZE_2, SIZE_3, TITLE_FONT, paragraph, title_lines

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
    if data.get("period"):
        paragraph(doc, data["period"], BODY_FONT, SIZE_3)
    paragraph(doc, gettext("监督电话：%(hotline)s") % {"hotline": data["hotline"]}, BODY_FONT, SIZE_3)
    paragraph(doc, "", BODY_FONT, SIZE_3, indent=False)
    paragraph(doc, data["issuer"], BODY_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    paragraph(doc, data["date"], BODY_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
