"""Write sheets that claim more than they hold, part by part, and read them in
a child process to measure what reading them costs.

Used by test_hostile_sheets.py, and runnable on its own to measure the full
sizes quoted in docs/RELIABILITY.md:

    python tests/ledgers/hostile_sheets.py measure
"""

import json
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[2]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ["年度", "资金类型", "拨付单位", "文号", "到位日期", "金额（元）", "备注"]

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>')


def workbook_xml(sheet):
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN}" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>')


def text_cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def ledger_rows(count=2, first=2):
    """The header row and `count` valid funds rows, as <row> elements."""
    letters = "ABCDEFG"
    rows = ["<row r=\"1\">" + "".join(text_cell(f"{c}1", h) for c, h in zip(letters, HEADER)) + "</row>"]
    for i in range(count):
        r = first + i
        rows.append(f'<row r="{r}"><c r="A{r}"><v>2022</v></c>{text_cell(f"B{r}", "财政援助资金")}'
                    f'{text_cell(f"D{r}", f"稀疏〔2022〕{i + 1}号")}{text_cell(f"E{r}", "2022-06-26")}'
                    f'<c r="F{r}"><v>{1000 + i}</v></c></row>')
    return "".join(rows)


def write_workbook(path, sheet_data, *, sheet="资金到位", head="", shared=None):
    """Write an .xlsx at `path` whose only sheet holds `sheet_data` (rows, as
    XML text or an iterable of bytes) after `head` (dimension, cols); `shared`
    is the sharedStrings part (text or an iterable of bytes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook_xml(sheet))
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            for piece in _pieces(shared if shared is not None else
                                 f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="0" '
                                 'uniqueCount="0"/>'):
                part.write(piece)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{head}'
                       '<sheetData>'.encode())
            for piece in _pieces(sheet_data):
                part.write(piece)
            part.write(b"</sheetData></worksheet>")
    return path


def _pieces(data):
    if isinstance(data, str):
        yield data.encode()
    else:
        yield from data


def shared_strings_workbook(path, rows, text_chars):
    """A funds ledger of `rows` rows whose 备注 cells are all different shared
    strings of `text_chars` characters: the shared strings part is about
    rows × text_chars bytes, the sheet small, the file small (it compresses
    well) — the upload that used to be rewritten and re-read per slice."""
    pad = "x" * max(text_chars - 12, 0)

    def strings():
        yield (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{rows}" '
               f'uniqueCount="{rows}">').encode()
        for start in range(0, rows, 10_000):
            yield "".join(f"<si><t>{pad}{i:012d}</t></si>" for i in range(start, min(start + 10_000, rows))).encode()
        yield b"</sst>"

    def sheet_rows():
        yield ledger_rows(0).encode()
        for start in range(0, rows, 10_000):
            yield "".join(
                f'<row r="{i + 2}"><c r="A{i + 2}"><v>2022</v></c>{text_cell(f"B{i + 2}", "财政援助资金")}'
                f'{text_cell(f"D{i + 2}", f"串〔2022〕{i}号")}{text_cell(f"E{i + 2}", "2022-06-26")}'
                f'<c r="F{i + 2}"><v>100</v></c><c r="G{i + 2}" t="s"><v>{i}</v></c></row>'
                for i in range(start, min(start + 10_000, rows))).encode()

    return write_workbook(path, sheet_rows(), shared=strings(), head=f'<dimension ref="A1:G{rows + 1}"/>')


# ------------------------------------------------------------ the child

CHILD = """
import json, sys, django
django.setup()
from django.conf import settings
settings.XIEZUO_LEDGER_LIMITS = json.loads(sys.argv[2])
from xiezuo.ledgers import importer
from xiezuo.ledgers.legacy import as_xlsx
from xiezuo.ledgers.safety import LedgerFileError, check_xlsx, limits
source, lim, rows, opened, workbook = sys.argv[1], limits(), 0, [], None
name = "f" + source[source.rfind("."):]
try:
    with as_xlsx(source, name) as path:  # an .xls or .ods: its conversion, in a grandchild
        check_xlsx(path, name)
        opened_book = importer._open(path, name)
        workbook = importer._Workbook(path, name, opened_book)
        parts = importer._sheet_sizes(path)
        for meta in opened_book.sheets_metadata:
            sheet = importer._sheet_rows(workbook, path, meta.name, parts, lim, opened)
            for cells in sheet.rows:
                rows += 1
    print(json.dumps({"rows": rows}))
except LedgerFileError as e:
    print(json.dumps({"refused": str(e)}))
finally:
    if workbook is not None:
        workbook.close()
    for chunked in opened:
        chunked.close()
# The peak as this process itself saw it: VmHWM belongs to the image exec
# started (a ru_maxrss read by the parent would count the pages the test
# process had when it forked, hundreds of MB late in a full run), and the
# grandchild's (a conversion) as this process waited for it.
import resource
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"peak_kb": max(hwm, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)}))
"""


def read_in_child(path, limits=None):
    """Read every row of the workbook at `path` the way the importer does, in
    a child process; return (its answer, the child's peak RSS in MB).

    The child reads the file exactly as an import does (the checks, the scan,
    calamine, the sliced reader) but touches no database, so it can run
    beside a test's transaction; its peak is what reading costs, which is
    what a hostile file attacks."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="xiezuo.settings", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path), json.dumps(limits or {})],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.wait()
    if proc.returncode != 0:
        raise AssertionError(f"the child failed ({proc.returncode}): {err.decode()[-2000:]}")
    *_, answer, peak = out.decode().strip().splitlines()
    return json.loads(answer), json.loads(peak)["peak_kb"] / 1024


def measure():
    """Print the peak of reading each hostile file at its full size."""
    import tempfile

    cases = dict(CASES)
    cases["shared strings 1M rows, 300 MB part"] = lambda p: shared_strings_workbook(p, 1_000_000, 300)
    cases["shared strings 1M rows, 61 MB part (under the limit)"] = \
        lambda p: shared_strings_workbook(p, 1_000_000, 45)
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in cases.items():
            path = make(Path(tmp) / "f.xlsx")
            answer, peak = read_in_child(path)
            print(f"{name}: {path.stat().st_size / 1e6:.2f} MB file, peak {peak:.0f} MB, {answer}")
            path.unlink()
    print("baseline:", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "MB (this process)")


def far_cell(ref):
    """The ledger, and one more cell far away (a stray value)."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    return lambda path: write_workbook(path, ledger_rows() + f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>')


CASES = {
    "A1 and XFD1048576": far_cell("XFD1048576"),
    "A1 and AX1048576": far_cell("AX1048576"),
    "A1 and GR1048576": far_cell("GR1048576"),
    "A1 and GR1000000": far_cell("GR1000000"),
    "dimension A1:XFD1048576": lambda p: write_workbook(p, ledger_rows(), head='<dimension ref="A1:XFD1048576"/>'),
    "row 5000000": lambda p: write_workbook(p, ledger_rows() + '<row r="5000000"><c><v>1</v></c></row>'),
    "shared strings declaring 4000000000": lambda p: write_workbook(
        p, ledger_rows(), shared=f'<sst xmlns="{MAIN}" count="4000000000" uniqueCount="4000000000"/>'),
}


if __name__ == "__main__" and sys.argv[1:] == ["measure"]:
    measure()
