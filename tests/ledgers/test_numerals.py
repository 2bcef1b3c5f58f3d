"""Chinese numerals in a real ledger (the funds ledger, 金额（万元）): stored
exactly or refused naming the sheet, row and column, and the preview shows
the value each cell will be stored as."""

import datetime
from decimal import Decimal

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiezuo.audit.models import AuditEvent
from xiezuo.funds.models import FundReceipt
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.models import ImportJob

HEADER = ["年度", "资金类型", "拨付单位", "文号", "到位日期", "金额（万元）", "备注"]
ROWS = [
    [2022, "财政援助资金", "南京市六合区人民政府", "样例N1号", datetime.date(2022, 6, 26), "一千二", ""],
    [2022, "社会帮扶资金", None, "样例N2号", "2022年6月27日", "两万零一百六", None],
    [2022, "财政援助资金", None, "样例N3号", "2022-06-28", "1,200", None],
    [2022, "结对帮扶资金", None, "样例N4号", "2022/6/29", "壹仟贰佰元整", "元写在单元格里"],
]


def ledger(path, rows):
    """Write a funds ledger with openpyxl, as an office's own file would be."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "资金到位"
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_numerals_are_stored_in_the_header_unit(ctx_for, tmp_path):
    spec, ctx = ctx_for("funds")
    result = run_import(spec, ctx, ledger(tmp_path / "numerals.xlsx", ROWS), commit=True)
    assert [str(e) for e in result.errors] == [] and result.added == 4
    amounts = dict(FundReceipt.objects.filter(doc_number__startswith="样例N").values_list("doc_number", "amount"))
    assert amounts == {
        "样例N1号": Decimal("12000000.00"),  # 一千二 in a 万元 column: 1200万元
        "样例N2号": Decimal("20160.00"),  # 两万零一百六: its 万 is the cell's own unit
        "样例N3号": Decimal("12000000.00"),
        "样例N4号": Decimal("1200.00"),  # 元 written in the cell wins over the header
    }


def test_an_unreadable_numeral_is_refused_naming_sheet_row_and_column(ctx_for, tmp_path):
    spec, ctx = ctx_for("funds")
    rows = ROWS[:1] + [[2022, "财政援助资金", None, "样例N5号", "2022-06-30", "一千二三", None],
                       [2022, "财政援助资金", None, "样例N6号", "2022-07-01", "一千二元", None]]
    before = FundReceipt.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, ctx, ledger(tmp_path / "bad.xlsx", rows), commit=True)
    assert [str(e) for e in result.errors] == [
        "工作表“资金到位”第3行“金额（万元）”列（值为“一千二三”）："
        "金额“一千二三”无法识别：“二三”是连写的数字，无法确定各自的位数",
        "工作表“资金到位”第4行“金额（万元）”列（值为“一千二元”）："
        "金额“一千二元”无法识别：“千二”无法确定是“千二百”还是“千零二”，请写完整",
    ]
    assert not result.committed and (FundReceipt.objects.count(), AuditEvent.objects.count()) == before


def test_preview_shows_headers_and_stored_values(ctx_for, tmp_path):
    spec, ctx = ctx_for("funds")
    result = run_import(spec, ctx, ledger(tmp_path / "numerals.xlsx", ROWS))
    assert not result.committed and not FundReceipt.objects.filter(doc_number__startswith="样例N").exists()
    assert result.sample_headers == [{"sheet": "资金到位", "headers": HEADER}]
    assert [(r["sheet"], r["row"]) for r in result.sample_add] == [("资金到位", n) for n in (2, 3, 4, 5)]
    assert [r["cells"] for r in result.sample_add] == [
        ["2022", "财政援助资金", "南京市六合区人民政府", "样例N1号", "2022-06-26 → 2022年6月26日",
         "一千二 → 12,000,000.00元", ""],
        ["2022", "社会帮扶资金", "", "样例N2号", "2022年6月27日", "两万零一百六 → 20,160.00元", ""],
        ["2022", "财政援助资金", "", "样例N3号", "2022-06-28 → 2022年6月28日", "1,200 → 12,000,000.00元", ""],
        ["2022", "结对帮扶资金", "", "样例N4号", "2022/6/29 → 2022年6月29日", "壹仟贰佰元整 → 1,200.00元",
         "元写在单元格里"],
    ]
    # Kept with the job as JSON: the whole preview round-trips through as_dict.
    assert result.as_dict()["sample_headers"] == result.sample_headers


def test_preview_page_shows_headers_and_stored_values(county, client_for, tmp_path):
    path = ledger(tmp_path / "numerals.xlsx", ROWS)
    c = client_for("liuhe")
    r = c.post(reverse("ledger_upload", args=[county.pk, "funds"]),
               {"file": SimpleUploadedFile("numerals.xlsx", path.read_bytes()), "mode": "append"})
    job = ImportJob.objects.get()
    assert job.status == "previewed" and job.result["sample_headers"][0]["headers"] == HEADER
    page = c.get(r["Location"]).content.decode()
    table = page[page.index('id="sample-add"'):page.index("</table>", page.index('id="sample-add"'))]
    assert "".join(f'<th scope="col">{h}</th>' for h in HEADER) in table
    for shown in ("一千二 → 12,000,000.00元", "两万零一百六 → 20,160.00元", "壹仟贰佰元整 → 1,200.00元",
                  "2022-06-26 → 2022年6月26日"):
        assert f"<td>{shown}</td>" in table
    assert not FundReceipt.objects.filter(doc_number__startswith="样例N").exists()
