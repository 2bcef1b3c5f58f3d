"""Workbooks laid out the way offices lay them out, and the same workbooks
saved by LibreOffice as .xls, .ods and .xlsx.

`month_workbook` writes, with openpyxl, a sales ledger of one sheet per
month: a merged title holding 金额单位：万元, the header, a units row under
it, a buyer merged down over several rows, a hidden row holding a sale that
must not be imported, a hidden helper column, and a hidden sheet.
`convert` saves files through LibreOffice headless (Debian's
libreoffice-calc): several files per start of soffice, since each start
costs seconds, with a private profile so parallel runs do not share one.
"""

import datetime
import shutil
import subprocess
import uuid
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

D = datetime.date
SCHOOL = "六合区示例中学（示例）"
PEOPLE = "南京个人消费者汇总（示例）"
HEADER = ["采购单位", "销售日期", "产品", "销售渠道", "类型", "数量", "单价", "金额", "凭证号", "辅助列", "备注"]
UNITS_ROW = ["", "", "", "", "", "斤", "元", "", "", "", ""]
# Per month: (buyer, day, product, channel, kind, quantity, price in 元, amount in 万元). The
# first three rows share the school as buyer, written once in a cell merged down over them.
SALES = [
    (SCHOOL, 1, "湟源陈醋", "食堂采购", "直接采购", 100, 12.8, 0.128),
    (SCHOOL, 2, "青稞米", "832平台", "直接采购", 500, 9.6, 0.48),
    (SCHOOL, 3, "湟源牦牛肉", "六合湟源消费扶贫专馆", "帮助销售", 10, 168, 0.168),
    (PEOPLE, 4, "马铃薯", "食堂采购", "直接采购", 1000, 3.2, 0.32),
]
FIRST_DATA_ROW = 4  # title, header, units row
HIDDEN_ROW = FIRST_DATA_ROW + len(SALES)  # after the sales: a row someone hid instead of deleting
HIDDEN_SHEET = "旧数据"


def voucher(month, n):
    return f"办{month:02d}-{n}"


def month_workbook(path, months=range(1, 13), *, year=2022):
    """Write the ledger of `months` (one sheet each, named 1月…12月) at `path`."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for month in months:
        ws = wb.create_sheet(f"{month}月")
        ws.append([f"六合区{year}年{month}月消费帮扶采购台账（金额单位：万元）"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
        ws.append(HEADER)
        ws.append(UNITS_ROW)
        for n, (buyer, day, product, channel, kind, quantity, price, amount) in enumerate(SALES, start=1):
            shown = buyer if n == 1 or buyer != SALES[n - 2][0] else None
            ws.append([shown, D(year, month, day), product, channel, kind, quantity, price, amount,
                       voucher(month, n), "核对用", ""])
        ws.merge_cells(start_row=FIRST_DATA_ROW, start_column=1, end_row=FIRST_DATA_ROW + 2, end_column=1)
        # Read, this row would be an error (an unknown buyer), and add a sale.
        ws.append(["不存在的采购单位（示例）", D(year, month, 28), "湟源陈醋", "食堂采购", "直接采购", 1, 12.8, 0.00128,
                   voucher(month, 9), "", "已作废"])
        ws.row_dimensions[HIDDEN_ROW].hidden = True
        ws.column_dimensions["J"].hidden = True
    old = wb.create_sheet(HIDDEN_SHEET)
    old.append(HEADER)
    old.append([SCHOOL, D(year - 1, 1, 1), "湟源陈醋", "食堂采购", "直接采购", 1, 12.8, 0.00128, "旧-1", "", ""])
    old.sheet_state = "hidden"
    wb.save(path)
    return path


def expected_sales(months, year=2022):
    """The rows the month workbook stores: (voucher, date, buyer, product, quantity, price, amount)."""
    rows = []
    for month in months:
        for n, (buyer, day, product, _, _, quantity, price, amount) in enumerate(SALES, start=1):
            rows.append((voucher(month, n), D(year, month, day), buyer, product,
                         Decimal(quantity).quantize(Decimal("0.001")), Decimal(str(price)).quantize(Decimal("0.01")),
                         (Decimal(str(amount)) * 10_000).quantize(Decimal("0.01"))))
    return sorted(rows)


def soffice():
    """Return the soffice command; fail (never skip) when LibreOffice is missing."""
    command = shutil.which("soffice")
    if command is None:
        pytest.fail("LibreOffice is not installed: these tests make their files with it. Install Debian's "
                    "libreoffice-calc (apt-get install libreoffice-calc; `make browser` installs it).")
    return command


def convert(files, fmt, outdir, profile):
    """Save each of `files` as `fmt` (xls, ods, xlsx) in `outdir` with one
    start of LibreOffice; return the new paths, in the order given."""
    outdir.mkdir(parents=True, exist_ok=True)
    command = [soffice(), "--headless", "--norestore", f"-env:UserInstallation={Path(profile).as_uri()}",
               "--convert-to", fmt, "--outdir", str(outdir), *map(str, files)]
    done = subprocess.run(command, capture_output=True, timeout=300, check=False)
    made = [outdir / f"{Path(f).stem}.{fmt}" for f in files]
    missing = [p.name for p in made if not p.exists()]
    assert not missing, f"LibreOffice did not write {missing}: {done.stdout.decode()} {done.stderr.decode()}"
    return made


def profile_dir(tmp_path_factory):
    """A LibreOffice profile of this test session's own."""
    return tmp_path_factory.mktemp(f"lo-profile-{uuid.uuid4().hex[:8]}")


# ------------------------------------------------------------ hostile .ods

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def text_cell(text, extra=""):
    return f'<table:table-cell office:value-type="string" {extra}><text:p>{text}</text:p></table:table-cell>'


def ods(path, rows_xml, *, sheet="资金到位", prolog=""):
    """Write a minimal .ods whose one sheet holds `rows_xml` (table-row elements)."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {NS} office:version="1.3">'
               f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{rows_xml}</table:table>'
               '</office:spreadsheet></office:body></office:document-content>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE)
        zf.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            '</manifest:manifest>'))
        zf.writestr("content.xml", content)
    return path


def funds_rows_xml():
    """The funds ledger's header and one receipt, as .ods rows."""
    header = "".join(text_cell(h) for h in ("年度", "资金类型", "文号", "到位日期", "金额"))
    row = (text_cell("2022") + text_cell("财政援助资金") + text_cell("样例ODS-1")
           + '<table:table-cell office:value-type="date" office:date-value="2022-06-26"><text:p>2022-06-26</text:p>'
           '</table:table-cell><table:table-cell office:value-type="float" office:value="1000"><text:p>1000</text:p>'
           '</table:table-cell>')
    return f"<table:table-row>{header}</table:table-row><table:table-row>{row}</table:table-row>"


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                            for i in range(1, 10))
                  + "]>")
