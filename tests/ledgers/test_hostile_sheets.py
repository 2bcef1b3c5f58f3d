"""Sheets that claim more than they hold: a far cell, a lying dimension, a
huge row number, a shared strings part declaring billions of strings.

calamine sizes memory by what a sheet claims and aborts the process when the
allocation fails, so each claim is checked before calamine sees the sheet.
Each file is made here, part by part; each is refused with its message and
nothing written, or — when it is within the limits — imported. The peak
memory of reading each one is measured in a child process."""

import re
import zipfile
import zlib

import pytest
import python_calamine
from django.core.files.base import ContentFile
from hypothesis import given
from hypothesis import strategies as st

from xiezuo.audit.models import AuditEvent
from xiezuo.funds.models import FundReceipt
from xiezuo.ledgers import jobs
from xiezuo.ledgers.chunks import TAIL, _tail
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.models import ImportJob
from xiezuo.ledgers.safety import Limits, _numbers_between

from .hostile_sheets import CASES, MAIN, far_cell, ledger_rows, read_in_child, shared_strings_workbook, \
    write_workbook

pytestmark = pytest.mark.django_db

# What reading any of these files may cost the process, Python and Django
# included (about 75 MB of it before the file is opened).
PEAK_MB = 400
ALLOWED = "（最多200列、1048576行）"
CORRUPT = "文件可能已损坏，请在Excel中另存为.xlsx后再导入。"

REFUSED = {
    "A1 and XFD1048576": f"工作表“资金到位”的单元格XFD1048576超出允许范围{ALLOWED}，请删除多余内容或拆分后导入。",
    "dimension A1:XFD1048576": f"工作表“资金到位”声明的范围A1:XFD1048576超出允许范围{ALLOWED}，请删除多余内容或拆分后导入。",
    "row 5000000": "工作表“资金到位”有5000000行，超过上限1048576行，请拆分后导入。",
    "shared strings declaring 4000000000": "文件“f.xlsx”的共享字符串表声明了4000000000个字符串，超过上限2000000个，"
                                           "文件可能已损坏或被篡改，请在Excel中另存为.xlsx后再导入。",
}
# Far but within the limits: the sparse sheet is read in slices cut to fit.
# Each is read through to its last row.
LAST_ROW = {"A1 and AX1048576": 1_048_576, "A1 and GR1048576": 1_048_576, "A1 and GR1000000": 1_000_000}
LEGAL = sorted(LAST_ROW)


def counts():
    return FundReceipt.objects.count(), AuditEvent.objects.count()


def messages(result):
    return [str(e) for e in result.errors]


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_sheet_claiming_too_much_is_refused_and_nothing_written(ctx_for, tmp_path, case):
    spec, ctx = ctx_for("funds")
    path = CASES[case](tmp_path / "f.xlsx")
    before = counts()
    result = run_import(spec, ctx, path, commit=True)
    assert messages(result) == [REFUSED[case]]
    assert not result.committed and result.refused and counts() == before


@pytest.mark.parametrize("case", LEGAL)
def test_a_far_cell_within_the_limits_is_imported(ctx_for, tmp_path, case):
    spec, ctx = ctx_for("funds")
    path = CASES[case](tmp_path / "f.xlsx")
    result = run_import(spec, ctx, path, commit=True)
    assert messages(result) == [] and result.committed and result.added == 2
    assert set(FundReceipt.objects.filter(doc_number__startswith="稀疏").values_list("doc_number", flat=True)) == {
        "稀疏〔2022〕1号", "稀疏〔2022〕2号"}


@pytest.mark.parametrize("case", sorted(REFUSED) + LEGAL)
def test_reading_a_hostile_sheet_stays_bounded(tmp_path, case):
    """Reading each file in a child process: refused or read through, the
    child's peak stays under PEAK_MB (before, the XFD sheet aborted asking
    for 512 GiB and the GR one took 6.7 GB)."""
    answer, peak = read_in_child(CASES[case](tmp_path / "f.xlsx"))
    if case in REFUSED:
        assert answer == {"refused": REFUSED[case]}
    else:
        assert answer == {"rows": LAST_ROW[case]}
    assert peak < PEAK_MB, f"{case}: {peak:.0f} MB"


def test_a_legal_sparse_sheet_is_read_in_slices_of_a_bounded_range(tmp_path, settings):
    """A1 and GR1000000 is 200 million cells from the first to the last: the
    small sheet is not read whole but in slices, none of whose ranges calamine
    builds exceeds max_cells."""
    from xiezuo.ledgers.chunks import ChunkedSheet

    path = far_cell("GR1000000")(tmp_path / "f.xlsx")
    reader = ChunkedSheet(path, "资金到位", 16 * 1024 * 1024)
    built = []
    original = reader._workbook

    def workbook(xml):
        book = original(xml)
        sheet = book.get_sheet_by_name("资金到位")
        built.append(sheet.height * sheet.width)
        return book

    reader._workbook = workbook
    rows = sum(1 for _ in reader.iter_rows())
    reader.close()
    assert rows == 1_000_000 and len(built) > 1 and max(built) <= reader.max_cells


def test_a_lying_dimension_within_the_limits_is_ignored(ctx_for, tmp_path):
    spec, ctx = ctx_for("funds")
    path = write_workbook(tmp_path / "f.xlsx", ledger_rows(), head='<dimension ref="A1:GR1000000"/>')
    result = run_import(spec, ctx, path, commit=True)
    assert messages(result) == [] and result.added == 2


def test_a_reference_in_another_attribute_order_is_read_too(ctx_for, tmp_path):
    """The fast check reads the common form (r first); any other form goes
    through the exact scan and is held to the same limits."""
    spec, ctx = ctx_for("funds")
    path = write_workbook(tmp_path / "f.xlsx", ledger_rows() + '<row r="9"><c t="n" r="GS9"><v>1</v></c></row>')
    before = counts()
    result = run_import(spec, ctx, path, commit=True)
    assert messages(result) == [f"工作表“资金到位”的单元格GS9超出允许范围{ALLOWED}，请删除多余内容或拆分后导入。"]
    assert counts() == before


def test_cells_without_references_count_as_calamine_counts_them(ctx_for, tmp_path):
    """A cell without `r` follows the one before it: 201 of them in a row
    reach column GS."""
    spec, ctx = ctx_for("funds")
    path = write_workbook(tmp_path / "f.xlsx", ledger_rows() + '<row r="9">' + "<c><v>1</v></c>" * 201 + "</row>")
    result = run_import(spec, ctx, path, commit=True)
    assert messages(result) == [f"工作表“资金到位”的单元格GS9超出允许范围{ALLOWED}，请删除多余内容或拆分后导入。"]


def test_a_row_whose_cells_name_far_rows_is_refused(ctx_for, tmp_path):
    """One <row> cannot be cut: cells in it naming rows a million apart
    would make one slice's range 200 million cells."""
    spec, ctx = ctx_for("funds")
    path = write_workbook(tmp_path / "f.xlsx", ledger_rows() +
                          '<row r="9"><c r="A9"><v>1</v></c><c r="GR1000000"><v>1</v></c></row>')
    before = counts()
    result = run_import(spec, ctx, path, commit=True)
    assert messages(result) == ["工作表“资金到位”第9行的单元格引用分散在9至1000000行、A至GR列，与所在行不符，"
                                "文件可能已损坏，请在Excel中打开后另存为.xlsx再导入。"]
    assert counts() == before


def test_a_column_span_outside_excel_is_refused_and_a_full_width_one_accepted(ctx_for, tmp_path):
    spec, ctx = ctx_for("funds")
    # Excel writes spans to the grid's end to hide the columns on the right.
    path = write_workbook(tmp_path / "a.xlsx", ledger_rows(), head='<cols><col min="8" max="16384" hidden="1"/></cols>')
    assert messages(run_import(spec, ctx, path, commit=False)) == []
    path = write_workbook(tmp_path / "b.xlsx", ledger_rows(), head='<cols><col min="1" max="99999999"/></cols>')
    assert messages(run_import(spec, ctx, path, commit=False)) == [
        f"工作表“资金到位”的列设置（第99999999列）超出Excel的范围（最多16384列），{CORRUPT}"]


def test_shared_strings_above_the_size_limit_are_refused(ctx_for, tmp_path, settings):
    settings.XIEZUO_LEDGER_LIMITS = {"max_shared_strings_bytes": 1024 * 1024}
    spec, ctx = ctx_for("funds")
    path = shared_strings_workbook(tmp_path / "f.xlsx", 20_000, 100)
    before = counts()
    assert messages(run_import(spec, ctx, path, commit=True)) == [
        "文件“f.xlsx”的共享字符串表过大（解压后2 MB，上限1 MB），请拆分后导入，或删除工作簿中不需要的工作表和内容后另存再导入。"]
    assert counts() == before


def test_a_sheet_of_many_shared_strings_is_read_once_in_bounded_memory(ctx_for, tmp_path):
    """100,000 rows, each with its own 250-character shared string (a 25 MB
    part in a file of about 1 MB), read in slices of 1 MB: the parts are
    copied into the slice workbook once, and the peak stays bounded."""
    path = shared_strings_workbook(tmp_path / "f.xlsx", 100_000, 250)
    limits = {"slice_above_bytes": 1024 * 1024, "slice_bytes": 1024 * 1024}
    answer, peak = read_in_child(path, limits)
    assert answer == {"rows": 100_001} and peak < PEAK_MB, peak


def test_the_sliced_import_of_shared_strings_gives_the_same_rows(ctx_for, tmp_path, settings):
    spec, ctx = ctx_for("funds")
    path = shared_strings_workbook(tmp_path / "f.xlsx", 3_000, 40)
    whole = run_import(spec, ctx, path, commit=False).as_dict()
    settings.XIEZUO_LEDGER_LIMITS = {"slice_above_bytes": 0, "slice_bytes": 20_000}
    sliced = run_import(spec, ctx, path, commit=False).as_dict()
    assert whole["added"] == 3_000 and sliced == whole


def test_a_refused_upload_ends_its_job_as_failed(county, users, tmp_path):
    """Before, the web process aborted on such a file and the job stayed
    检查中 for ever; now the preview ends, the job fails, the upload goes."""
    path = CASES["A1 and XFD1048576"](tmp_path / "f.xlsx")
    job = ImportJob(pairing=county, user=users["huangyuan"], ledger="funds", filename="销售.xlsx",
                    status=ImportJob.PREVIEWING)
    job.file.save("f.xlsx", ContentFile(path.read_bytes()), save=False)
    job.save()
    jobs.execute(job, commit=False)
    job.refresh_from_db()
    assert job.status == ImportJob.FAILED and job.file.name == ""
    assert [e["text"] for e in job.result["errors"]] == [REFUSED["A1 and XFD1048576"]]


def test_a_prefixed_cell_is_held_to_the_limits(ctx_for, tmp_path):
    spec, ctx = ctx_for("funds")
    path = write_workbook(tmp_path / "f.xlsx", ledger_rows() +
                          f'<x:row xmlns:x="{MAIN}" r="9"><x:c r="XFD9"><x:v>1</x:v></x:c></x:row>')
    assert messages(run_import(spec, ctx, path, commit=False)) == [
        f"工作表“资金到位”的单元格XFD9超出允许范围{ALLOWED}，请删除多余内容或拆分后导入。"]


def test_a_prefixed_sheet_is_held_to_the_limits(ctx_for, tmp_path):
    """calamine reads <x:sheetData> and <x:c> by their local names: so does the scan."""
    spec, ctx = ctx_for("funds")
    rows = ledger_rows().replace("<row", "<x:row").replace("</row>", "</x:row>")
    rows = rows.replace("<c ", "<x:c ").replace("</c>", "</x:c>")
    rows += '<x:row r="9"><x:c r="XFD9"><x:v>1</x:v></x:c></x:row>'
    path = write_workbook(tmp_path / "f.xlsx", rows)
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace(f'<worksheet xmlns="{MAIN}">', f'<x:worksheet xmlns:x="{MAIN}">')
    sheet = sheet.replace("<sheetData>", "<x:sheetData>").replace("</sheetData></worksheet>",
                                                                  "</x:sheetData></x:worksheet>")
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert messages(run_import(spec, ctx, path, commit=False)) == [
        f"工作表“资金到位”的单元格XFD9超出允许范围{ALLOWED}，请删除多余内容或拆分后导入。"]


def test_a_shared_strings_count_hidden_past_the_first_kilobytes_is_refused(ctx_for, tmp_path):
    spec, ctx = ctx_for("funds")
    shared = f'<?xml version="1.0"?><!--{" " * 8000}--><sst xmlns="{MAIN}" uniqueCount="4000000000"/>'
    path = write_workbook(tmp_path / "f.xlsx", ledger_rows(), shared=shared)
    assert messages(run_import(spec, ctx, path, commit=False)) == [
        "文件“f.xlsx”的共享字符串表结构异常，文件可能已损坏或被篡改，请在Excel中另存为.xlsx后再导入。"]


# ------------------------------------------------ the quick check of the common form
# Nearly every sheet has single-letter columns and every cell within the
# rows of its slice: that is checked with one search in C for a tag outside
# the form; anything else goes to the scans above, which refuse as before.

@pytest.mark.parametrize("extra,refused", [
    ('<row r="9"><c r="A9"><v>1</v></c><c r="B1000000"><v>1</v></c></row>',
     "工作表“资金到位”第9行的单元格引用分散在9至1000000行、A至Z列，与所在行不符，文件可能已损坏，请在Excel中打开后另存为.xlsx再导入。"),
    ('<row r="9"><c r="Z1048577"><v>1</v></c></row>',
     f"工作表“资金到位”的单元格Z1048577超出允许范围{ALLOWED}，请删除多余内容或拆分后导入。"),
    ('<row r="1048577"><c r="Z1048577"><v>1</v></c></row>', "工作表“资金到位”有1048577行，超过上限1048576行，请拆分后导入。"),
    ('<row r="1000000"><c r="Z1000000"><v>1</v></c></row>', None),
])
def test_single_letter_cells_are_held_to_the_limits(ctx_for, tmp_path, extra, refused):
    spec, ctx = ctx_for("funds")
    result = run_import(spec, ctx, write_workbook(tmp_path / "f.xlsx", ledger_rows() + extra), commit=False)
    assert messages(result) == ([refused] if refused else [])
    assert result.added == (0 if refused else 2)


@given(st.integers(1, 10 ** 7), st.integers(0, 10 ** 6), st.lists(st.integers(0, 2 * 10 ** 7), max_size=20))
def test_the_pattern_of_a_range_of_rows_matches_its_numbers_only(low, span, others):
    high = low + span
    pattern = re.compile(rb'<c r="A(?:%s)"' % _numbers_between(low, high))
    for number in {low, high, low - 1, high + 1, *others, *range(low, min(high, low + 30) + 1)}:
        written = b'<c r="A%d"' % number
        assert bool(pattern.fullmatch(written)) == (low <= number <= high), number
    assert not pattern.fullmatch(b'<c r="A0%d"' % low)  # no leading zero


@given(st.integers(0, 2 ** 32 - 1), st.integers(0, 2 ** 32 - 1))
def test_a_slice_entry_keeps_its_crc_with_spaces_and_tabs(crc, target):
    tail = _tail(crc, target)
    assert set(tail) <= {0x20, 0x09} and len(tail) == TAIL and zlib.crc32(tail, crc) == target


def test_slices_are_read_from_one_open_workbook_and_give_calamines_rows(tmp_path, monkeypatch):
    """The slice workbook is opened once (its shared strings read once) and
    each slice written into it; a row longer than the room for a slice makes
    a bigger entry, opened again. The rows are calamine's own, read whole."""
    from xiezuo.ledgers import chunks
    from xiezuo.ledgers.chunks import ChunkedSheet

    path = shared_strings_workbook(tmp_path / "f.xlsx", 3_000, 40)
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    long_row = f'<row r="3002"><c r="A3002" t="inlineStr"><is><t>{"长" * 30_000}</t></is></c></row>'.encode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"</sheetData>", long_row + b"</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    # Blocks of 16 KB, slices of 20,000 bytes and at most 2,000 cells: room
    # for 52 KB in the slice workbook's entry, which the long row outgrows.
    monkeypatch.setattr(chunks, "READ_BLOCK", 16 * 1024)
    reader = ChunkedSheet(path, "资金到位", 20_000, lim=Limits(max_cells=2_000))
    books, original = [], reader._workbook

    def workbook(xml):
        book = original(xml)
        books.append((id(book), reader._book.capacity))
        return book

    reader._workbook = workbook
    rows = [list(cells) for cells in reader.iter_rows()]
    reader.close()
    whole = python_calamine.CalamineWorkbook.from_path(str(path))
    expected = whole.get_sheet_by_name("资金到位").to_python(skip_empty_area=False)
    whole.close()
    # A slice's rows are as wide as its own cells reach (a row missing cells on the right is read as blank).
    rows = [cells + [""] * (len(expected[0]) - len(cells)) for cells in rows]
    assert rows == expected and rows[-1][0] == "长" * 30_000 and rows[1500][6] == "x" * 28 + "000000001499"
    assert len(books) > 10 and len({book for book, _ in books[:-1]}) == 1  # one workbook for the slices
    assert books[-1][1] > books[0][1]  # the long row: a bigger entry
