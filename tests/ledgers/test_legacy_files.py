""".xls and .ods crafted against the reader: each is refused, or read within
the memory bound, and the process importing it (here: the test's) lives on.
calamine runs in a child held to `legacy_memory_bytes`; what the child's
own checks catch is refused with a precise message, what they miss makes
the child die, and the file is refused all the same."""

import struct

import pytest
import xlsxwriter

from xiezuo.audit.models import AuditEvent
from xiezuo.funds.models import FundReceipt
from xiezuo.ledgers.importer import run_import

from .hostile_sheets import read_in_child
from .office_files import BILLION_LAUGHS, convert, funds_rows_xml, ods, profile_dir, text_cell

HEADER = ["年度", "资金类型", "文号", "到位日期", "金额"]
RECEIPT = [2022, "财政援助资金", "样例旧版-1", "2022-06-26", 1000]


def counts():
    return FundReceipt.objects.count(), AuditEvent.objects.count()


def messages(result):
    return [str(e) for e in result.errors]


@pytest.fixture(scope="module")
def xls_files(tmp_path_factory):
    """A funds ledger as .xls (LibreOffice), one with a stray cell at IV65536
    (the .xls grid's last cell), and one whose DIMENSIONS record was
    rewritten to claim that range over two rows of data."""
    folder = tmp_path_factory.mktemp("xls")
    sources = []
    for name, far in (("ok", False), ("far", True)):
        wb = xlsxwriter.Workbook(folder / f"{name}.xlsx")
        ws = wb.add_worksheet("资金到位")
        ws.write_row(0, 0, HEADER)
        ws.write_row(1, 0, RECEIPT)
        if far:
            ws.write(65535, 255, 1)
        wb.close()
        sources.append(folder / f"{name}.xlsx")
    ok, far = convert(sources, "xls", folder / "out", profile_dir(tmp_path_factory))
    data = bytearray(ok.read_bytes())
    at = data.find(b"\x00\x02\x0e\x00")  # the DIMENSIONS record: id 0x0200, 14 bytes
    assert at > 0
    struct.pack_into("<IIHH", data, at + 4, 0, 65536, 0, 256)
    claim = folder / "claim.xls"
    claim.write_bytes(data)
    return {"ok": ok, "far": far, "claim": claim}


def test_a_plain_xls_is_imported(ctx_for, xls_files):
    spec, ctx = ctx_for("funds")
    result = run_import(spec, ctx, xls_files["ok"], commit=True)
    assert messages(result) == [] and result.added == 1
    assert str(FundReceipt.objects.get(doc_number="样例旧版-1").amount) == "1000.00"


@pytest.mark.parametrize("name", ["far", "claim"])
def test_an_xls_claiming_a_huge_range_is_refused(ctx_for, xls_files, name):
    spec, ctx = ctx_for("funds")
    n = counts()
    result = run_import(spec, ctx, xls_files[name], commit=True)
    assert messages(result) == ["工作表“资金到位”声明的范围A1:IV65536过大（16777216个单元格，上限4000000个），"
                                "请删除多余内容，在Excel或WPS中另存为.xlsx后导入。"]
    assert result.refused and counts() == n


def test_without_the_child_s_check_the_child_dies_and_the_file_is_refused(ctx_for, xls_files, settings):
    # With the declared range let through, calamine asks for the whole
    # range at once (16,777,216 cells): over the child's address space it
    # aborts. Only the child.
    settings.XIEZUO_LEDGER_LIMITS = {"legacy_max_cells": 10 ** 9}
    spec, ctx = ctx_for("funds")
    n = counts()
    result = run_import(spec, ctx, xls_files["claim"], commit=True)
    assert messages(result) == ["文件“claim.xls”是旧版Excel（.xls）文件，但无法读取（文件已损坏、已加密，或内容超出可处理的范围），"
                                "请在Excel或WPS中另存为.xlsx后再导入。"]
    assert counts() == n


def hostile_ods(folder):
    cell = text_cell("x", 'table:number-columns-repeated="16384"')
    return {
        "billion laughs": ods(folder / "laughs.ods", "<table:table-row>" + text_cell("&lol9;") + "</table:table-row>",
                              prolog=BILLION_LAUGHS),
        "a value repeated over the whole grid": ods(
            folder / "grid.ods", funds_rows_xml() + f'<table:table-row table:number-rows-repeated="1048576">{cell}'
                                                    "</table:table-row>"),
        "90 million cells within the row and column limits": ods(
            folder / "many.ods", funds_rows_xml() + '<table:table-row table:number-rows-repeated="1000000">'
            + text_cell("x", 'table:number-columns-repeated="90"') + "</table:table-row>"),
    }


EXPECTED = {
    "billion laughs": "文件“laughs.ods”的内容含有DTD声明（可能是恶意构造的文件），已拒绝。",
    "a value repeated over the whole grid": "工作表“资金到位”的单元格XFD1048578超出允许范围（最多200列、1048576行），"
                                            "请删除多余内容或拆分后导入。",
    "90 million cells within the row and column limits": "文件“many.ods”的内容过多（工作表“资金到位”等共约90000180个单元格，"
                                                         "上限4000000个），请在Excel或WPS中另存为.xlsx后导入。",
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_a_hostile_ods_is_refused_and_nothing_written(ctx_for, tmp_path, case):
    spec, ctx = ctx_for("funds")
    n = counts()
    result = run_import(spec, ctx, hostile_ods(tmp_path)[case], commit=True)
    assert messages(result) == [EXPECTED[case]]
    assert result.refused and counts() == n


def test_an_ods_past_the_child_s_checks_kills_the_child_only(ctx_for, tmp_path, settings):
    settings.XIEZUO_LEDGER_LIMITS = {"legacy_max_cells": 10 ** 9}
    spec, ctx = ctx_for("funds")
    n = counts()
    result = run_import(spec, ctx, hostile_ods(tmp_path)["90 million cells within the row and column limits"],
                        commit=True)
    assert messages(result) == ["文件“many.ods”是ODS表格，但无法读取（文件已损坏、已加密，或内容超出可处理的范围），"
                                "请在Excel或WPS中另存为.xlsx后再导入。"]
    assert counts() == n


def test_empty_cells_repeated_billions_of_times_cost_nothing(ctx_for, tmp_path):
    # LibreOffice itself ends every sheet so (empty cells to the grid's end).
    spec, ctx = ctx_for("funds")
    rows = (funds_rows_xml().replace("</table:table-row><table:table-row>",
                                     '<table:table-cell table:number-columns-repeated="2000000000"/>'
                                     "</table:table-row><table:table-row>")
            + '<table:table-row table:number-rows-repeated="2000000000"><table:table-cell/></table:table-row>')
    result = run_import(spec, ctx, ods(tmp_path / "empty.ods", rows), commit=True)
    assert messages(result) == [] and result.added == 1


def test_a_child_over_its_time_is_killed_and_the_file_refused(ctx_for, xls_files, settings):
    settings.XIEZUO_LEDGER_LIMITS = {"legacy_seconds": 0.01}
    spec, ctx = ctx_for("funds")
    result = run_import(spec, ctx, xls_files["ok"], commit=True)
    assert messages(result) == ["文件“ok.xls”读取超时（超过0.01秒），文件可能过大或已损坏，请在Excel或WPS中另存为.xlsx后再导入。"]


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_reading_a_hostile_ods_stays_bounded(tmp_path, case):
    # Read as an import reads it, in a process of its own (the child's
    # peak is the highest of it and its reader: os.wait4 reports both).
    answer, peak = read_in_child(hostile_ods(tmp_path)[case])
    assert answer == {"refused": EXPECTED[case].replace(f"“{hostile_ods(tmp_path)[case].name}”",
                                                       f"“f{hostile_ods(tmp_path)[case].suffix}”")}
    assert peak < 400, f"{peak:.0f} MB"


def test_reading_an_xls_killed_for_its_memory_stays_bounded(xls_files):
    answer, peak = read_in_child(xls_files["claim"], {"legacy_max_cells": 10 ** 9})
    assert "但无法读取" in answer["refused"]
    # The child was stopped at its address-space limit (480 MB).
    assert peak < 480, f"{peak:.0f} MB"
