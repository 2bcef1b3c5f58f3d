"""Workbooks as offices lay them out: one sheet per month, a unit line above
the header and a units row under it, buyers merged down, hidden rows,
columns and sheets — written by openpyxl and saved again by LibreOffice as
.xls, .ods and .xlsx, each of which must store the very same rows."""

import shutil
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from xiezuo.audit.models import AuditEvent
from xiezuo.consumption.models import Sale
from xiezuo.funds.models import FundReceipt
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.models import ImportJob

from .office_files import (
    FIRST_DATA_ROW,
    HEADER,
    HIDDEN_ROW,
    HIDDEN_SHEET,
    SALES,
    SCHOOL,
    convert,
    expected_sales,
    month_workbook,
    profile_dir,
)

MONTHS = range(1, 13)


@pytest.fixture(scope="module")
def office_files(tmp_path_factory):
    """The month workbook as openpyxl wrote it, and as LibreOffice saved it
    in each format (one start of LibreOffice per format)."""
    folder = tmp_path_factory.mktemp("office")
    source = month_workbook(folder / "months.xlsx", MONTHS)
    profile = profile_dir(tmp_path_factory)
    files = {"openpyxl .xlsx": source}
    for fmt in ("xls", "ods", "xlsx"):
        [files[f"LibreOffice .{fmt}"]] = convert([source], fmt, folder / fmt, profile)
    return files


def stored_sales():
    return sorted(Sale.objects.filter(voucher_no__startswith="办").values_list(
        "voucher_no", "date", "buyer__name", "product__name", "quantity", "unit_price", "amount"))


def messages(result):
    return [str(e) for e in result.errors]


def import_and_roll_back(spec, ctx, path, **options):
    """Import for real, read what was stored, and undo it (the next file starts clean)."""
    with transaction.atomic():
        result = run_import(spec, ctx, path, commit=True, **options)
        rows = stored_sales()
        transaction.set_rollback(True)
    return result, rows


@pytest.mark.parametrize("made_by", ["openpyxl .xlsx", "LibreOffice .xls", "LibreOffice .ods", "LibreOffice .xlsx"])
def test_every_format_of_the_month_workbook_stores_the_same_rows(ctx_for, office_files, made_by):
    spec, ctx = ctx_for("sales")
    result, rows = import_and_roll_back(spec, ctx, office_files[made_by])
    assert messages(result) == [] and result.committed
    # Each month's four sales, the school's three from its merged cell, the
    # amounts in 万元 by the line above the header, the prices in 元 by the
    # units row; neither the hidden row nor the hidden sheet.
    assert rows == expected_sales(MONTHS)
    assert result.unknown_headers == []  # the hidden helper column is not asked about
    for month in (1, 12):
        assert f"工作表“{month}月”第{HIDDEN_ROW}行为隐藏行，已忽略。" in result.notices
        assert f"工作表“{month}月”的隐藏列“辅助列”已忽略。" in result.notices
        assert f"工作表“{month}月”表头上方注明金额单位为万元：“金额”列的数字按万元计。" in result.notices
        assert f"工作表“{month}月”第3行是表头下的单位行，按各列单位计，不作为数据导入。" in result.notices
    assert f"工作表“{HIDDEN_SHEET}”是隐藏的工作表，已跳过。" in result.notices
    listed = {s["name"]: s for s in result.sheets}
    assert listed["3月"] == {"name": "3月", "header_row": 2, "rows": HIDDEN_ROW - FIRST_DATA_ROW + 1, "chosen": True,
                             "columns": [h for h in HEADER if h != "辅助列"]}
    assert listed[HIDDEN_SHEET] == {"name": HIDDEN_SHEET, "hidden": True}


def test_the_chosen_sheets_only_are_imported(ctx_for, office_files):
    spec, ctx = ctx_for("sales")
    chosen = [f"{m}月" for m in MONTHS if m not in (3, 7)]
    result, rows = import_and_roll_back(spec, ctx, office_files["LibreOffice .xls"], sheets=chosen)
    assert messages(result) == []
    assert rows == expected_sales([m for m in MONTHS if m not in (3, 7)])
    assert "工作表“3月”未选择，未导入。" in result.notices
    assert [s["name"] for s in result.sheets if s.get("chosen")] == chosen


def test_twelve_month_sheets_two_deselected_in_the_preview(county, client_for, office_files):
    c = client_for("huangyuan")
    path = office_files["LibreOffice .xls"]
    c.post(reverse("ledger_upload", args=[county.pk, "sales"]),
           {"file": SimpleUploadedFile("2022年消费帮扶.xls", path.read_bytes()), "mode": "append"})
    job = ImportJob.objects.get()
    assert (job.status, job.result["added"], job.sheets) == ("previewed", 48, None)
    page = c.get(reverse("ledger_job", args=[job.pk])).content.decode()
    # Every month listed and ticked (they share one layout); the hidden sheet said so.
    assert page.count('name="sheet"') == 12 and page.count(" checked") == 12
    assert "隐藏的工作表，已跳过" in page
    chosen = [f"{m}月" for m in MONTHS if m not in (3, 7)]
    c.post(reverse("ledger_job_sheets", args=[job.pk]), {"sheet": chosen})
    job.refresh_from_db()
    assert (job.status, job.sheets, job.result["added"]) == ("previewed", chosen, 40)
    page = c.get(reverse("ledger_job", args=[job.pk])).content.decode()
    assert page.count(" checked") == 10 and "确认导入（新增40条，更新0条）" in page
    c.post(reverse("ledger_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done"
    assert stored_sales() == expected_sales([m for m in MONTHS if m not in (3, 7)])


def test_choosing_no_sheet_is_refused_and_changes_nothing(county, client_for, office_files):
    c = client_for("huangyuan")
    path = office_files["openpyxl .xlsx"]
    c.post(reverse("ledger_upload", args=[county.pk, "sales"]),
           {"file": SimpleUploadedFile("months.xlsx", path.read_bytes()), "mode": "append"})
    job = ImportJob.objects.get()
    r = c.post(reverse("ledger_job_sheets", args=[job.pk]), {}, follow=True)
    assert "请至少勾选一个工作表" in r.content.decode()
    job.refresh_from_db()
    assert (job.sheets, job.result["added"]) == (None, 48)
    # A name the preview did not list is no choice either.
    c.post(reverse("ledger_job_sheets", args=[job.pk]), {"sheet": ["13月"]})
    job.refresh_from_db()
    assert job.sheets is None


def test_an_et_file_is_read_as_the_xls_it_is(ctx_for, office_files, tmp_path):
    spec, ctx = ctx_for("sales")
    et = tmp_path / "台账.et"
    shutil.copy(office_files["LibreOffice .xls"], et)
    result, rows = import_and_roll_back(spec, ctx, et)
    assert messages(result) == [] and rows == expected_sales(MONTHS)


def test_an_unreadable_et_file_is_refused_with_the_wps_advice(ctx_for, tmp_path):
    spec, ctx = ctx_for("funds")
    et = tmp_path / "台账.et"
    et.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    n = FundReceipt.objects.count(), AuditEvent.objects.count()
    result = run_import(spec, ctx, et, commit=True)
    assert messages(result) == ["文件“台账.et”：WPS表格(.et)文件无法读取，请在WPS中另存为.xlsx后导入。"]
    assert result.refused and (FundReceipt.objects.count(), AuditEvent.objects.count()) == n


def test_the_upload_check_takes_spreadsheets_by_content(county, client_for, office_files):
    c = client_for("huangyuan")
    url = reverse("ledger_upload", args=[county.pk, "sales"])
    # An .xlsx renamed .ods, and an .ods renamed .xls, are refused by the one upload check.
    for real, name in (("openpyxl .xlsx", "台账.ods"), ("LibreOffice .ods", "台账.xls")):
        r = c.post(url, {"file": SimpleUploadedFile(name, office_files[real].read_bytes()), "mode": "append"},
                   follow=True)
        assert f"文件“{name}”的内容与扩展名.{name.rsplit('.', 1)[1]}不符" in r.content.decode()
    assert not ImportJob.objects.exists()
    c.post(url, {"file": SimpleUploadedFile("台账.ods", office_files["LibreOffice .ods"].read_bytes()),
                 "mode": "append"})
    assert ImportJob.objects.get().result["added"] == 48


# ------------------------------------------------------------ units


def funds_sheet(path, rows, *, title=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "资金到位"
    for line in title:
        ws.append([line])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


RECEIPT = [2022, "财政援助资金", "样例单位-1", "2022-06-26", 4300]


def receipt_amount():
    return FundReceipt.objects.get(doc_number="样例单位-1").amount


@pytest.mark.parametrize("title,header,units,amount", [
    (["（单位：万元）"], "金额", None, Decimal("43000000.00")),
    (["2022年资金到位台账", "填报单位：湟源县协作办　　金额单位：万元"], "金额", None, Decimal("43000000.00")),
    # The header's own unit wins over the line above.
    (["单位：万元"], "金额（元）", None, Decimal("4300.00")),
    # A units row under the header; over a line saying otherwise, the row's unit.
    ([], "金额", "万元", Decimal("43000000.00")),
    (["单位：元"], "金额", "（万元）", Decimal("43000000.00")),
    # Not a unit line: 填报单位 names the office.
    (["填报单位：元宝镇人民政府"], "金额", None, Decimal("4300.00")),
])
def test_the_unit_of_the_amounts(ctx_for, tmp_path, title, header, units, amount):
    spec, ctx = ctx_for("funds")
    rows = [["年度", "资金类型", "文号", "到位日期", header]]
    if units:
        rows.append(["", "", "", "", units])
    path = funds_sheet(tmp_path / "f.xlsx", rows + [RECEIPT], title=title)
    result = run_import(spec, ctx, path, commit=True)
    assert messages(result) == [] and result.added == 1
    assert receipt_amount() == amount


def test_a_header_unit_contradicting_the_line_is_told(ctx_for, tmp_path):
    spec, ctx = ctx_for("funds")
    path = funds_sheet(tmp_path / "f.xlsx", [["年度", "资金类型", "文号", "到位日期", "金额（元）"], RECEIPT],
                       title=["金额单位：万元"])
    result = run_import(spec, ctx, path, commit=True)
    assert result.notices == ["工作表“资金到位”“金额（元）”列的表头注明单位为元，与表头上方的万元不同，按表头的元计。"]


# ------------------------------------------------------------ merged cells


def test_a_merge_across_two_imported_columns_is_refused_naming_it(ctx_for, tmp_path):
    spec, ctx = ctx_for("funds")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "资金到位"
    ws.append(["年度", "资金类型", "文号", "到位日期", "金额", "备注"])
    ws.append([2022, "财政援助资金", "样例合并-1", "2022-06-26", 4300, ""])
    ws.append([2022, "财政援助资金", "样例合并-2", "2022-06-27", 100, ""])
    ws.merge_cells("D3:E3")  # a date and an amount in one cell
    wb.save(tmp_path / "f.xlsx")
    n = FundReceipt.objects.count()
    result = run_import(spec, ctx, tmp_path / "f.xlsx", commit=True)
    assert messages(result) == [
        "工作表“资金到位”第3行“到位日期、金额”列（值为“2022-06-27”）：合并单元格D3:E3横跨“到位日期”、“金额”等多列，"
        "无法确定数值属于哪一列，请取消合并后分别填写再导入"]
    assert FundReceipt.objects.count() == n


def test_a_merge_across_an_imported_and_an_ignored_column_fills_the_imported_one(ctx_for, tmp_path):
    spec, ctx = ctx_for("funds")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "资金到位"
    ws.append(["年度", "资金类型", "文号", "到位日期", "序号", "金额"])
    ws.append([2022, "财政援助资金", "样例合并-1", "2022-06-26", 4300, None])
    ws.append([2022, "财政援助资金", "样例合并-2", "2022-06-27", None, 100])
    ws.merge_cells("E2:F2")  # typed into 序号, shown across 金额
    ws.merge_cells("A2:A3")  # the year once for both
    wb.save(tmp_path / "f.xlsx")
    result = run_import(spec, ctx, tmp_path / "f.xlsx", commit=True)
    assert messages(result) == []
    stored = FundReceipt.objects.filter(doc_number__startswith="样例合并").order_by("doc_number")
    assert [(r.doc_number, r.year, r.amount) for r in stored] == [
        ("样例合并-1", 2022, Decimal("4300.00")), ("样例合并-2", 2022, Decimal("100.00"))]


def test_a_sheet_read_in_slices_skips_hidden_rows_and_refuses_merged_data(ctx_for, tmp_path, settings):
    # Read in slices (the sheet is "big" for these limits): hidden rows are
    # known slice by slice, merged ranges only after the rows.
    settings.XIEZUO_LEDGER_LIMITS = {"slice_above_bytes": 512, "slice_bytes": 1024}
    spec, ctx = ctx_for("funds")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "资金到位"
    ws.append(["年度", "资金类型", "文号", "到位日期", "金额"])
    for n in range(1, 41):
        ws.append([2022, "财政援助资金", f"样例分段-{n}", "2022-06-26", 100 + n])
    ws.append([2022, "不存在的类型", "样例分段-隐藏", "2022-06-26", 1])
    ws.row_dimensions[42].hidden = True
    wb.save(tmp_path / "hidden.xlsx")
    result = run_import(spec, ctx, tmp_path / "hidden.xlsx", commit=True)
    assert messages(result) == [] and result.added == 40
    assert "工作表“资金到位”第42行为隐藏行，已忽略。" in result.notices
    ws.merge_cells("A2:A5")
    wb.save(tmp_path / "merged.xlsx")
    n = FundReceipt.objects.count()
    result = run_import(spec, ctx, tmp_path / "merged.xlsx", commit=True)
    assert messages(result) == ["工作表“资金到位”“年度”列：第2行起的合并单元格A2:A5位于数据区，而工作表较大、按分段读取，"
                                "无法把合并的内容填入每一行，请取消合并并在每一行填写后再导入"] + [
        f"工作表“资金到位”第{n}行“年度”列（值为空）：必填，不能为空" for n in (3, 4, 5)]
    assert FundReceipt.objects.count() == n


def test_merges_and_hidden_rows_above_the_data_are_harmless(ctx_for, tmp_path):
    spec, ctx = ctx_for("funds")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "资金到位"
    ws.append(["2022年资金到位台账"])
    ws.append(["内部核对用：不导入"])
    ws.append(["年度", "资金类型", "文号", "到位日期", "金额"])
    ws.append(["", "", "", "", "万元"])
    ws.append([2022, "财政援助资金", "样例标题-1", "2022-06-26", 4300])
    ws.merge_cells("A1:E1")
    ws.merge_cells("A3:A4")  # a header over the header and its units row: nothing to fill
    ws.row_dimensions[2].hidden = True
    wb.save(tmp_path / "f.xlsx")
    result = run_import(spec, ctx, tmp_path / "f.xlsx", commit=True)
    assert messages(result) == [] and result.added == 1
    assert FundReceipt.objects.get(doc_number="样例标题-1").amount == Decimal("43000000.00")
    assert not any("隐藏行" in n for n in result.notices)  # nothing of the data was hidden


def test_the_month_workbook_rows_are_what_the_helper_says(office_files):
    # The helper's own promise, read back from LibreOffice's .xlsx: the
    # school written once, the hidden row and column there to be ignored.
    wb = openpyxl.load_workbook(office_files["LibreOffice .xlsx"])
    ws = wb["5月"]
    assert [ws.cell(FIRST_DATA_ROW + i, 1).value for i in range(len(SALES))] == [SCHOOL, None, None, SALES[3][0]]
    assert ws.row_dimensions[HIDDEN_ROW].hidden and ws.column_dimensions["J"].hidden
    assert wb[HIDDEN_SHEET].sheet_state == "hidden"
