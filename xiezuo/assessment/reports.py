"""The 自评报告 as a Word document laid out after GB/T 9704 (党政机关公文格式)
and the statistical tables as an Excel workbook."""

import io
import math
from decimal import Decimal

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

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


def page_number_footer(section):
    """Put "— 1 —" in the footer: a PAGE field between two em dashes,
    4号 宋体 as GB/T 9704 asks."""
    footer = section.footer
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(p.add_run("— "), PAGE_NUMBER_FONT, SIZE_4)
    run = p.add_run()
    set_font(run, PAGE_NUMBER_FONT, SIZE_4)
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
    set_font(p.add_run(" —"), PAGE_NUMBER_FONT, SIZE_4)


def indicator_table(doc, rows):
    headers = ["序号", "指标", "单位", "目标值", "完成值", "完成率"]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers):
        set_font(cell.paragraphs[0].add_run(text), H1_FONT, SIZE_SMALL_4)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for n, row in enumerate(rows, 1):
        unit = row["unit"]
        values = [str(n), row["name"], unit, _plain(row["target_display"], unit), _plain(row["actual_display"], unit),
                  f"{row['completion']}%" if row["completion"] is not None else "—"]
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, values)):
            set_font(cell.paragraphs[0].add_run(text), BODY_FONT, SIZE_SMALL_4)
            if i != 1:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    return table


def _plain(display, unit):
    """Drop the unit from a display value: the table has a unit column."""
    return display[: -len(unit)] if unit and display.endswith(unit) else display


def self_evaluation_docx(evaluation):
    """Return the self-evaluation report as .docx bytes."""
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    for attr, value in PAGE.items():
        setattr(section, attr, value)
    section.footer_distance = Mm(28) - Mm(7)  # 页码距版心下边缘约7mm
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, SIZE_3
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    page_number_footer(section)

    pairing, year = evaluation.pairing, evaluation.year
    snapshot = evaluation.snapshot or {}
    rows = snapshot.get("indicators") or []
    paragraph(doc, str(evaluation), TITLE_FONT, SIZE_2, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    paragraph(doc, "", BODY_FONT, SIZE_3, indent=False)
    paragraph(doc, (f"根据{year}年度东西部协作协议确定的目标任务，现将{pairing}{year}年度东西部协作工作"
                    f"自评情况报告如下（数据截至{cn_date(evaluation.snapshot_at) or '—'}）。"), BODY_FONT, SIZE_3)

    paragraph(doc, "一、主要指标完成情况", H1_FONT, SIZE_3)
    met = [r for r in rows if r.get("completion") is not None and Decimal(r["completion"]) >= 100]
    with_target = [r for r in rows if r.get("target") is not None]
    paragraph(doc, f"协议确定的{len(with_target)}项指标中，已完成{len(met)}项。各项指标目标与完成情况见下表。",
              BODY_FONT, SIZE_3)
    indicator_table(doc, rows)

    paragraph(doc, "二、工作开展情况", H1_FONT, SIZE_3)
    for n, (code, title) in enumerate(WORK_AREAS):
        paragraph(doc, f"（{CN_NUMBERS[n]}）{title}", H2_FONT, SIZE_3)
        text = (evaluation.narratives or {}).get(code, "").strip() or NO_DATA
        for para in text.splitlines():
            if para.strip():
                paragraph(doc, para.strip(), BODY_FONT, SIZE_3)

    paragraph(doc, "三、自评结论", H1_FONT, SIZE_3)
    grade = evaluation.grade or "（待定）"
    paragraph(doc, f"综合以上情况，{year}年度东西部协作工作自评等次为：{grade}。", BODY_FONT, SIZE_3)
    status = evaluation.get_status_display()
    if evaluation.is_locked and evaluation.confirmed_at:
        status += f"，东部确认日期：{cn_date(evaluation.confirmed_at)}"
    paragraph(doc, f"（状态：{status}）", BODY_FONT, SIZE_3)

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
    rows, evaluation = services.indicators_for_figures(pairing, year, figures)
    data = dash.build(pairing, year, ids[pairing.pk], figures, rows, evaluation)
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
