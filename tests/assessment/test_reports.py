"""The 自评报告 (.docx after GB/T 9704) and the statistical tables (.xlsx),
opened again and read."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from tests.checklist import login, page_checklist
from xiezuo.accounts.models import Membership, User
from xiezuo.assessment import workflow
from xiezuo.pairings.models import Agreement, AgreementTarget

from .conftest import add_receipts

pytestmark = pytest.mark.django_db


def east_asian(run):
    fonts = run._element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia"))


def prepared(county, users, side="west"):
    agreement = Agreement.objects.create(pairing=county, year=2031, title="测试协议")
    AgreementTarget.objects.create(agreement=agreement, indicator="probe_funds", value=Decimal("200"), unit="万元")
    add_receipts(county, 2031, ["1500000.00"])
    evaluation = workflow.get_or_draft(county, 2031, users["liuhe" if side == "east" else "huangyuan"], side=side)
    evaluation.narratives["labour"] = "举办劳动技能培训班。\n第二段文字。"
    evaluation.grade = "好"
    evaluation.save()
    return evaluation


def test_docx_layout_follows_gbt_9704(county, probe_section, users, tmp_path):
    prepared(county, users)
    out = tmp_path / "report.docx"
    call_command("self_evaluation", "--pairing", str(county.pk), "--year", "2031", "--out", str(out))
    doc = Document(io.BytesIO(out.read_bytes()))
    s = doc.sections[0]
    # Word stores twips: compare to a tenth of a millimetre.
    mm = [round(v.mm, 1) for v in (s.page_width, s.page_height, s.top_margin, s.bottom_margin, s.left_margin,
                                   s.right_margin)]
    assert mm == [210, 297, 37, 35, 28, 26]
    title = doc.paragraphs[0]
    # Broken between words (GB/T 9704-2012 7.5), never inside 东西部.
    assert title.text == "南京市六合区—西宁市湟源县\n2031年度东西部协作工作自评报告"
    assert title.alignment == 1  # centred
    assert east_asian(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    by_text = {p.text: p for p in doc.paragraphs}
    h1 = by_text["一、主要指标完成情况"]
    # Word's heading styles, so the navigation pane lists the sections.
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == [
        "一、主要指标完成情况", "二、工作开展情况", "三、自评结论", "四、东部意见"]
    assert by_text["（四）劳务协作"].style.name == "Heading 2"
    assert east_asian(h1.runs[0]) == "黑体" and h1.runs[0].font.size == Pt(16)
    h2 = by_text["（四）劳务协作"]
    assert east_asian(h2.runs[0]) == "楷体_GB2312" and h2.runs[0].font.size == Pt(16)
    body = by_text["举办劳动技能培训班。"]
    assert east_asian(body.runs[0]) == "仿宋_GB2312" and body.runs[0].font.size == Pt(16)
    assert body.paragraph_format.line_spacing_rule == 4  # EXACTLY
    assert Pt(28) <= body.paragraph_format.line_spacing <= Pt(29)
    assert "第二段文字。" in by_text
    assert "综合以上情况，2031年度东西部协作西部工作自评等次为：好。" in by_text
    assert "（尚未收到东部意见。）" in by_text
    # Odd pages number on the right, even pages on the left, one character in.
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, align in ((s.footer, 2), (s.even_page_footer, 0)):
        p = footer.paragraphs[0]
        assert "PAGE" in p._element.xml and "fldChar" in p._element.xml
        assert p.text.startswith("— ") and p.text.endswith(" —") and p.alignment == align
    # 发文机关署名 and 成文日期 close the report, right-aligned, the date two
    # characters right of the name's first character.
    name, date = doc.paragraphs[-2], doc.paragraphs[-1]
    assert name.text == "西宁市湟源县东西部协作工作领导小组办公室" and name.alignment == 2
    assert date.text.startswith("20") and date.text.endswith("日") and date.alignment == 2
    assert round(name.paragraph_format.right_indent.pt) == 32
    assert round(date.paragraph_format.right_indent.pt) == 16 * (2 + len(name.text) - 2 - len(date.text))


def test_docx_indicator_table_has_targets_and_actuals(county, probe_section, users):
    prepared(county, users, side="east")  # the probe indicator is the east's
    r = page_checklist(reverse("assessment:report_side_docx", args=[county.pk, 2031, "east"]))
    assert r["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    doc = Document(io.BytesIO(r.content))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "指标", "单位", "目标值", "完成值", "完成率"]
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in table.rows[1:]}
    assert rows["探针资金"][2:] == ["万元", "200", "150", "75.00%"]
    # The header row repeats on each page; no row is split across pages.
    assert 'w:tblHeader w:val="true"' in table.rows[0]._tr.xml
    assert all('w:cantSplit w:val="true"' in row._tr.xml for row in table.rows[1:])
    assert "财政援助资金" in rows and "资金支出进度" not in rows  # the east's indicators only
    assert east_asian(table.rows[1].cells[1].paragraphs[0].runs[0]) == "仿宋_GB2312"


def test_both_sides_reports_name_their_issuer_and_the_other_sides_views(county, probe_section, users, settings,
                                                                        tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the download's file
    second = {"east": User.objects.create(username="liuhe2"), "west": User.objects.create(username="huangyuan2")}
    for side, user in second.items():
        Membership.objects.create(user=user, pairing=county, role=side)
    west = prepared(county, users)
    east = workflow.get_or_draft(county, 2031, users["liuhe"], side="east")
    west.submit(users["huangyuan"])
    west.record_opinion(users["liuhe"], "建议补充消费帮扶数据。\n第二段意见。")
    west.finalise(second["west"])
    east.submit(users["liuhe"])
    east.record_opinion(users["huangyuan"], "同意东部自评。")
    docs = {}
    for side, url in (("west", reverse("assessment:report_docx", args=[county.pk, 2031])),
                      ("east", reverse("assessment:report_side_docx", args=[county.pk, 2031, "east"]))):
        r = login("lingdao").get(url)
        assert r.status_code == 200
        assert r["Content-Disposition"].endswith('-2031-east.docx"' if side == "east" else '-2031.docx"')
        docs[side] = Document(io.BytesIO(r.content))
    texts = {side: [p.text for p in doc.paragraphs] for side, doc in docs.items()}
    assert texts["west"][0] == "南京市六合区—西宁市湟源县\n2031年度东西部协作工作自评报告"
    assert texts["east"][0].replace("\n", "") == "南京市六合区—西宁市湟源县2031年度东西部协作工作东部自评报告"
    assert texts["west"][-2] == "西宁市湟源县东西部协作工作领导小组办公室"
    assert texts["east"][-2] == "南京市六合区东西部协作工作领导小组办公室"
    # The other side's views, each under its date and author.
    west_views = texts["west"][texts["west"].index("四、东部意见"):-3]
    assert "建议补充消费帮扶数据。" in west_views and "第二段意见。" in west_views
    assert any(t.startswith("（一）20") and str(users["liuhe"]) in t for t in west_views)
    east_views = texts["east"][texts["east"].index("四、西部意见"):-3]
    assert "同意东部自评。" in east_views
    assert any("已定稿（锁定），定稿日期：" in t for t in texts["west"])
    assert any("征求意见中" in t for t in texts["east"])
    # The download page makes the east's through its own kind.
    from xiezuo.downloads.models import Download

    c = login("huangyuan")
    r = c.post(reverse("download_start", args=[county.pk, "report_docx_east"]), {"year": "2031"})
    assert r.status_code == 302
    made = Download.objects.filter(kind="report_docx_east").get()
    assert made.filename == f"self-evaluation-{county.pk}-2031-east.docx"


def test_command_writes_the_east_report_with_side_east(county, probe_section, users, tmp_path):
    out = tmp_path / "east.docx"
    call_command("self_evaluation", "--pairing", str(county.pk), "--year", "2031", "--side", "east", "--out", str(out))
    doc = Document(io.BytesIO(out.read_bytes()))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0].replace("\n", "").endswith("2031年度东西部协作工作东部自评报告")
    assert texts[-2] == "南京市六合区东西部协作工作领导小组办公室"
    assert "四、西部意见" in texts
    table = {row.cells[1].text for row in doc.tables[0].rows[1:]}
    assert "探针资金" in table and "资金支出进度" not in table
    from xiezuo.assessment.models import SelfEvaluation

    assert set(SelfEvaluation.objects.filter(pairing=county, year=2031).values_list("side", flat=True)) == {"east"}
    with pytest.raises(CommandError):
        call_command("self_evaluation", "--pairing", str(county.pk), "--year", "2031", "--side", "north",
                     "--out", str(out))


def test_command_refuses_bad_arguments_in_chinese(county, tmp_path):
    with pytest.raises(CommandError, match="输出文件应以 .docx 结尾"):
        call_command("self_evaluation", "--pairing", str(county.pk), "--year", "2022", "--out", str(tmp_path / "a.pdf"))
    with pytest.raises(CommandError, match="结对关系 999999 不存在"):
        call_command("self_evaluation", "--pairing", "999999", "--year", "2022", "--out", str(tmp_path / "a.docx"))
    assert not (tmp_path / "a.docx").exists()


def test_xlsx_statistical_tables(county, probe_section, users):
    prepared(county, users)
    r = page_checklist(reverse("assessment:report_xlsx", args=[county.pk, 2031]))
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    sheet = book["指标完成情况"]
    assert sheet["A1"].value == "南京市六合区—西宁市湟源县2031年度东西部协作指标完成情况（金额单位：元）"
    header = [c.value for c in sheet[3]]
    assert header == ["指标代码", "指标名称", "单位", "目标值", "完成值", "完成率（%）"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["probe_funds"][3:] == (2000000.0, 1500000.0, 75.0)
    assert "资金支出进度" in book.sheetnames and "消费帮扶按渠道" in book.sheetnames


def test_report_for_a_year_without_a_self_evaluation_is_not_found(county):
    r = login("huangyuan").get(reverse("assessment:report_docx", args=[county.pk, 2030]))
    assert r.status_code == 404


def test_docx_renders_as_gbt_9704_pages_in_libreoffice(county, probe_section, users, tmp_path):
    """The .docx as an office opens it: rendered to PDF by LibreOffice, its
    pages read back with poppler: the title on whole words, the table's
    header on the page it continues to, odd page numbers right, even left."""
    import re
    import shutil
    import subprocess

    from xiezuo.assessment.reports import self_evaluation_docx

    missing = [tool for tool in ("soffice", "pdftotext") if shutil.which(tool) is None]
    assert not missing, f"install Debian's libreoffice-writer-nogui and poppler-utils (missing: {missing})"
    evaluation = prepared(county, users)
    many = [{**evaluation.snapshot["indicators"][0], "name": f"测试指标{n:02d}（用于跨页）"} for n in range(60)]
    evaluation.snapshot = {**evaluation.snapshot, "indicators": many}
    docx = tmp_path / "report.docx"
    docx.write_bytes(self_evaluation_docx(evaluation))
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(docx)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "report.pdf"
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S)
    assert len(pages) >= 3
    words = [[(float(x0), float(y0), w) for x0, y0, w in
              re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>', body)]
             for _, _, body in pages]
    width, height = float(pages[0][0]), float(pages[0][1])
    for number, page in enumerate(words, 1):
        footer = [(x, w) for x, y, w in page if y > height * 0.88 and w == str(number)]
        assert footer, f"no page number {number} at the foot of page {number}"
        x = footer[0][0]
        assert (x > width / 2) if number % 2 else (x < width / 2), (number, x)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout.split("\f")
    assert "2031年度东西部协作工作自评报告" in text[0].replace(" ", "")
    continued = [n for n, page in enumerate(text) if "测试指标" in page]
    assert len(continued) >= 2  # the table runs over pages …
    assert all("序号" in text[n] for n in continued)  # … with its header on each
