"""The 自评报告 as a Word document laid out after GB/T 9704 (党政机关公文格式)
and the statistical tables as an Excel workbook."""

import io
import math
import re
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from lib.dates import cn_date
from lib.exports import Book

from . import dashboard as dash
from . import services
from .narrative import NO_DATA, WORK_AREAS

# GB/T 9704-2012: A4; type area 156 × 225 mm with the top margin 37 mm and
# the left margin 28 mm; 22 lines of 28 characters of 3号 (16 pt) type.
PAGE = {"page_width": Mm(210), "page_height": Mm(297), "top_margin": Mm(37), "bottom_margin": Mm(35),
        "left_margin": Mm(28), "right_margin": Mm(26)}
TITLE_FONT, H1_FONT, H2_FONT, BODY_FONT, PAGE_NUMBER_FONT = "方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312", "宋体"
SIZE_2, SIZE_3, SIZE_4, SIZE_SMALL_4 = Pt(22), Pt(16), Pt(14), Pt(12)
LINE = Pt(28.9)  # fixed line pitch that gives 22 lines in the 225 mm type area
CN_NUMBERS = "一二三四五六七八九十"


def set_font(run, name, size, bold=False):
    """Set Latin and East Asian font names: Word picks Chinese glyphs from w:eastAsia."""
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def paragraph(doc, text, font, size, align=None, indent=True, bold=False):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters of 3号 type
    if align is not None:
        p.alignment = align
    set_font(p.add_run(text), font, size, bold)
    return p


def heading(doc, text, level):
    """A heading in Word's own heading style (标题 1/2), so the navigation
    pane and a table of contents find it, in the GB/T 9704 type of its level:
    黑体 for the first level, 楷体 for the second, 3号, black, no spacing."""
    font = H1_FONT if level == 1 else H2_FONT
    style = doc.styles[f"Heading {level}"]
    style.font.name, style.font.size, style.font.bold, style.font.italic = font, SIZE_3, False, False
    style.font.color.rgb = RGBColor(0, 0, 0)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    p = doc.add_paragraph(style=style)
    fmt = p.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(32)
    fmt.keep_with_next = True
    set_font(p.add_run(text), font, SIZE_3)
    return p


# GB/T 9704-2012 7.5: the title is broken between words, never inside one
# (东西部 must not be split), in lines of at most this many 2号 characters
# (the 156 mm type area holds 20), as evenly as the words allow.
TITLE_CHARS = 20
_TITLE_BREAKS = re.compile(r"(?<=[—、，])|(?<=年度)|(?<=[省市州盟区县旗乡镇村])(?=[^省市州盟区县旗乡镇村年度])"
                           r"|(?=东西部)|(?=工作自评)|(?=自评报告)")


def title_lines(title, width=TITLE_CHARS):
    """Split a title at word boundaries into the fewest lines of at most
    `width` characters, the longest line as short as possible."""
    if len(title) <= width:
        return [title]
    cuts = sorted({0, len(title), *(m.start() for m in _TITLE_BREAKS.finditer(title))})
    best = {0: (0, 0, None)}  # position → (lines, longest line, previous position)
    for end in cuts[1:]:
        options = [(best[start][0] + 1, max(best[start][1], end - start), start)
                   for start in cuts if start < end and start in best and end - start <= width]
        if options:
            best[end] = min(options)
    if len(title) not in best:  # a word longer than a line: break it where it must
        return [title[i:i + width] for i in range(0, len(title), width)]
    lines, end = [], len(title)
    while end:
        start = best[end][2]
        lines.append(title[start:end])
        end = start
    return lines[::-1]


def _page_field(run):
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._element.append(el)


def page_number_footer(section, doc):
    """Put "— 1 —" in the footer: a PAGE field between two em dashes, 4号
    宋体; GB/T 9704-2012 7.5: odd pages' numbers right, even pages' left,
    each one character (4号) in from the edge of the type area."""
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
                                (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.alignment = align
        setattr(p.paragraph_format, side, SIZE_4)
        set_font(p.add_run("— "), PAGE_NUMBER_FONT, SIZE_4)
        run = p.add_run()
        set_font(run, PAGE_NUMBER_FONT, SIZE_4)
        _page_field(run)
        set_font(p.add_run(" —"), PAGE_NUMBER_FONT, SIZE_4)


def indicator_table(doc, rows):
    headers = ["序号", "指标", "单位", "目标值", "完成值", "完成率"]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, headers):
        set_font(cell.paragraphs[0].add_run(text), H1_FONT, SIZE_SMALL_4)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _row_flag(table.rows[0], "w:tblHeader")  # the header row again on every page the table runs to
    for n, row in enumerate(rows, 1):
        unit = row["unit"]
        values = [str(n), row["name"], unit, _plain(row["target_display"], unit), _plain(row["actual_display"], unit),
                  f"{row['completion']}%" if row["completion"] is not None else "—"]
        row_ = table.add_row()
        _row_flag(row_, "w:cantSplit")  # a row is kept whole on one page
        cells = row_.cells
        for i, (cell, text) in enumerate(zip(cells, values)):
            set_font(cell.paragraphs[0].add_run(text), BODY_FONT, SIZE_SMALL_4)
            if i != 1:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The type area's 156 mm, most of it for the indicator's name (Word
    # otherwise gives every column a sixth and wraps names a character a line).
    for column, width in zip(table.columns, COLUMN_MM):
        column.width = Mm(width)  # the grid, which LibreOffice reads
    for row in table.rows:
        for cell, width in zip(row.cells, COLUMN_MM):
            cell.width = Mm(width)  # each cell, which Word reads
    return table


COLUMN_MM = (15, 55, 14, 22, 24, 26)


def _row_flag(row, tag):
    pr = row._tr.get_or_add_trPr()
    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    pr.append(flag)


def issuer(evaluation):
    """发文机关署名 of the report: its own side's organisation when the
    pairing names one, else that side's cooperation office (our judgement:
    offices sign these reports as the 东西部协作工作领导小组办公室 of their
    county or district; the .docx stays editable where an office signs
    otherwise). The east report is the east office's, the west's the west's."""
    pairing = evaluation.pairing
    if evaluation.side == evaluation.EAST:
        return pairing.east_org.name if pairing.east_org_id else f"{pairing.east_name}东西部协作工作领导小组办公室"
    if pairing.west_org_id:
        return pairing.west_org.name
    return f"{pairing.west_name}东西部协作工作领导小组办公室"


def docx_name(evaluation):
    """The file name: the west report keeps the name of the single report."""
    suffix = "-east" if evaluation.side == evaluation.EAST else ""
    return f"self-evaluation-{evaluation.pairing_id}-{evaluation.year}{suffix}.docx"


def signature(doc, name, date_text):
    """发文机关署名 and 成文日期 (GB/T 9704-2012 7.3.5.2): one blank line after
    the text; the name right-aligned two characters in; the date on the next
    line starting two characters right of the name's first character, or,
    when the date is the longer, the date two characters in and the name
    moved in to match."""
    char = SIZE_3
    name_in = 2 + max(0, len(date_text) + 2 - len(name))
    date_in = name_in + len(name) - 2 - len(date_text)
    paragraph(doc, "", BODY_FONT, SIZE_3, indent=False)
    for text, chars_in in ((name, name_in), (date_text, date_in)):
        p = paragraph(doc, text, BODY_FONT, SIZE_3, WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        p.paragraph_format.right_indent = Pt(char.pt * chars_in)


def _plain(display, unit):
    """Drop the unit from a display value: the table has a unit column."""
    return display[: -len(unit)] if unit and display.endswith(unit) else display


def cn_ordinal(n):
    """一 … 十, 十一 … 九十九 for the second-level headings' numbers."""
    tens, units = divmod(n, 10)
    if n <= 10:
        return CN_NUMBERS[n - 1]
    if n < 100:
        return (CN_NUMBERS[tens - 1] if tens > 1 else "") + "十" + (CN_NUMBERS[units - 1] if units else "")
    return str(n)


def opinions_section(doc, evaluation):
    """四、the other side's views (结对方意见), each with its date and author."""
    other = evaluation.other_side_name
    heading(doc, f"四、{other}意见", 1)
    if not evaluation.opinions:
        paragraph(doc, f"（尚未收到{other}意见。）", BODY_FONT, SIZE_3)
    for n, opinion in enumerate(evaluation.opinions):
        when = cn_date(parse_datetime(opinion["at"]))
        heading(doc, f"（{cn_ordinal(n + 1)}）{when}，{opinion['by_name']}", 2)
        for para in opinion["text"].splitlines():
            if para.strip():
                paragraph(doc, para.strip(), BODY_FONT, SIZE_3)


def new_document():
    """A Word document laid out after GB/T 9704: A4, the type area's
    margins, 仿宋 3号 body type, page numbers in the footer. The 自评报告 and
    the 信息简报 (crosscheck.briefing) are both written on it."""
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    for attr, value in PAGE.items():
        setattr(section, attr, value)
    section.footer_distance = Mm(28) - Mm(7)  # 页码距版心下边缘约7mm
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, SIZE_3
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    page_number_footer(section, doc)
    return doc


def self_evaluation_docx(evaluation):
    """Return the self-evaluation report as .docx bytes."""
    doc = new_document()

    pairing, year = evaluation.pairing, evaluation.year
    snapshot = evaluation.snapshot or {}
    rows = snapshot.get("indicators") or []
    title = paragraph(doc, "", TITLE_FONT, SIZE_2, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    title.runs[0].text = "\n".join(title_lines(str(evaluation)))  # python-docx writes \n as a line break
    paragraph(doc, "", BODY_FONT, SIZE_3, indent=False)
    side = evaluation.side_name
    paragraph(doc, (f"根据{year}年度东西部协作协议确定的{side}目标任务，现将{pairing}{year}年度东西部协作"
                    f"{side}工作自评情况报告如下（数据截至{cn_date(evaluation.snapshot_at) or '—'}）。"),
              BODY_FONT, SIZE_3)

    heading(doc, "一、主要指标完成情况", 1)
    met = [r for r in rows if r.get("completion") is not None and Decimal(r["completion"]) >= 100]
    with_target = [r for r in rows if r.get("target") is not None]
    paragraph(doc, f"协议确定的{len(with_target)}项指标中，已完成{len(met)}项。各项指标目标与完成情况见下表。",
              BODY_FONT, SIZE_3)
    indicator_table(doc, rows)

    heading(doc, "二、工作开展情况", 1)
    for n, (code, title) in enumerate(WORK_AREAS):
        heading(doc, f"（{CN_NUMBERS[n]}）{title}", 2)
        text = (evaluation.narratives or {}).get(code, "").strip() or NO_DATA
        for para in text.splitlines():
            if para.strip():
                paragraph(doc, para.strip(), BODY_FONT, SIZE_3)

    heading(doc, "三、自评结论", 1)
    grade = evaluation.grade or "（待定）"
    paragraph(doc, f"综合以上情况，{year}年度东西部协作{side}工作自评等次为：{grade}。", BODY_FONT, SIZE_3)
    status = evaluation.get_status_display()
    if evaluation.is_locked and evaluation.confirmed_at:
        status += f"，定稿日期：{cn_date(evaluation.confirmed_at)}"
    paragraph(doc, f"（状态：{status}）", BODY_FONT, SIZE_3)

    opinions_section(doc, evaluation)
    # 成文日期: the date it was finalised once it is, else the snapshot's.
    signature(doc, issuer(evaluation), cn_date(evaluation.confirmed_at or evaluation.snapshot_at or timezone.now()))

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _cell(value):
    """Excel numbers for numbers (the figures carry amounts and rates as
    decimal strings), text otherwise; "NaN" or "Infinity" stay text."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    try:
        number = float(Decimal(str(value)))
    except (ArithmeticError, ValueError):
        return str(value)
    return number if math.isfinite(number) else str(value)


def _sheet_name(title, used):
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]
    while name in used:
        name = name[:29] + str(len(used))
    used.add(name)
    return name


def statistics_xlsx(pairing, year):
    """Return the year's statistical tables as .xlsx bytes: the indicator
    table, then one sheet per dashboard table."""
    ids = services.subtree_ids([pairing])
    figures = services.figures_by_year(ids, [year])[(pairing.pk, year)]
    rows, evaluations = services.indicators_for_figures(pairing, year, figures)
    data = dash.build(pairing, year, ids[pairing.pk], figures, rows, evaluations)
    buf = io.BytesIO()
    # Buyer, product and organisation names in these tables are typed by
    # users: the one export writer keeps them text, never formulas or links.
    book = Book(buf, in_memory=True)
    head = book.style(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True)
    money = book.style(num_format="#,##0.00", border=1)
    plain = book.style(border=1)
    title = book.style(bold=True, font_size=14)
    used = set()

    sheet = book.sheet(_sheet_name("指标完成情况", used))
    sheet.cell(0, 0, f"{pairing}{year}年度东西部协作指标完成情况（金额单位：元）", title)
    columns = ["指标代码", "指标名称", "单位", "目标值", "完成值", "完成率（%）"]
    sheet.row(2, 0, columns, head)
    for r, row in enumerate(rows, 3):
        sheet.row(r, 0, [row["code"], row["name"], row["unit"]], plain)
        for c, key in enumerate(("target", "actual", "completion"), 3):
            value = _cell(row[key])
            sheet.cell(r, c, value if value is not None else "—", money if isinstance(value, float) else plain)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 40)
    sheet.set_column(3, 5, 16)

    for chart in data["charts"].values():
        sheet = book.sheet(_sheet_name(chart["title"], used))
        sheet.cell(0, 0, f"{pairing}{year}年度 {chart['title']}", title)
        sheet.row(2, 0, chart["columns"], head)
        for r, row in enumerate(chart["rows"], 3):
            for c, value in enumerate(row):
                value = _cell(value) if c else value
                sheet.cell(r, c, value, money if isinstance(value, float) else plain)
        if not chart["rows"]:
            sheet.cell(3, 0, "暂无数据")
        sheet.set_column(0, len(chart["columns"]), 18)
    book.close()
    return buf.getvalue()
