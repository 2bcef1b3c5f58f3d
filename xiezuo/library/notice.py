"""The 入库公示 notice of a listed entry: a text generated from the entry
(the notice with its period, boards and photos is a `notices.Notice`;
both are written by `notices.document.write_docx`)."""

from django.utils.translation import gettext

from lib.dates import cn_date
from xiezuo.notices.document import fund_text, write_docx


def notice(entry):
    """Return {"title", "lines", "hotline", "date"} of the notice."""
    place = entry.place or "—"
    funds = fund_text(entry.total_funds, entry.coop_funds, entry.other_funds, entry.other_sources)
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
    """Return the notice as .docx bytes, through the one notice writer."""
    return write_docx(notice(entry))
