"""Refuse hostile or unreadable files before a single cell is parsed.

An .xlsx is a zip of XML parts. We check, in this order and without
decompressing anything: the size on disk, the zip magic, that the zip's
central directory lists a `[Content_Types].xml` declaring an Excel workbook
(not a macro workbook), and the declared uncompressed sizes of every part
(total, per worksheet, and the compression ratio that betrays a zip bomb).
Only then is the file handed to calamine, which reads cached cell values and
never evaluates a formula.
"""

import zipfile
from dataclasses import dataclass

from django.conf import settings

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 100 * 1024 * 1024
    max_unzipped_bytes: int = 1536 * 1024 * 1024
    max_sheet_bytes: int = 1024 * 1024 * 1024
    max_ratio: int = 100  # uncompressed / compressed, for parts above 1 MB
    max_rows: int = 1_048_576  # Excel's own limit
    max_columns: int = 200
    max_cell_chars: int = 5000
    slice_above_bytes: int = 32 * 1024 * 1024  # sheets with more XML than this are read in slices
    slice_bytes: int = 16 * 1024 * 1024


def limits():
    """Return the limits, overridable with settings.XIEZUO_LEDGER_LIMITS (a dict)."""
    return Limits(**getattr(settings, "XIEZUO_LEDGER_LIMITS", {}))


class LedgerFileError(Exception):
    """The file is refused as a whole; the message is for the user."""


def _mb(n):
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def check_xlsx(path, name=None):
    """Raise LedgerFileError when the file at `path` is not a safe .xlsx."""
    lim = limits()
    name = name or str(path)
    with open(path, "rb") as fh:
        head = fh.read(8)
        fh.seek(0, 2)
        size = fh.tell()
    if size > lim.max_file_bytes:
        raise LedgerFileError(f"文件“{name}”过大：{_mb(size)}，上限为{_mb(lim.max_file_bytes)}。请按年度拆分后分别导入。")
    if head.startswith(OLE_MAGIC):
        raise LedgerFileError(f"文件“{name}”是旧版Excel（.xls）或加密的工作簿，请在Excel中“另存为”Excel工作簿（.xlsx）后再导入。")
    if not head.startswith(b"PK\x03\x04"):
        raise LedgerFileError(f"文件“{name}”不是Excel工作簿（.xlsx），无法导入。请使用系统提供的模板或在Excel中另存为.xlsx。")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names:
                raise LedgerFileError(f"文件“{name}”不是Excel工作簿（.xlsx）：缺少[Content_Types].xml。")
            ct = zf.getinfo("[Content_Types].xml")
            if ct.file_size > 1024 * 1024:
                raise LedgerFileError(f"文件“{name}”的结构异常（[Content_Types].xml过大），已拒绝。")
            types = zf.read(ct).decode("utf-8", "replace")
    except zipfile.BadZipFile:
        raise LedgerFileError(f"文件“{name}”已损坏或不是Excel工作簿（.xlsx），无法打开。") from None
    if XLSM_MAIN in types:
        raise LedgerFileError(f"文件“{name}”是启用宏的工作簿（.xlsm），为安全起见不予导入，请另存为.xlsx。")
    if XLSX_MAIN not in types:
        raise LedgerFileError(f"文件“{name}”不是Excel工作簿（.xlsx）（可能是Word、PowerPoint或其他压缩文件）。")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > lim.max_ratio * max(info.compress_size, 1):
            raise LedgerFileError(
                f"文件“{name}”的压缩比异常（{info.filename}解压后{_mb(info.file_size)}，"
                f"压缩后仅{_mb(info.compress_size)}），疑似压缩炸弹，已拒绝。")
        if info.filename.startswith("xl/worksheets/") and info.file_size > lim.max_sheet_bytes:
            raise LedgerFileError(
                f"文件“{name}”中的工作表过大（解压后{_mb(info.file_size)}，上限{_mb(lim.max_sheet_bytes)}），请拆分后导入。")
    if total > lim.max_unzipped_bytes:
        raise LedgerFileError(f"文件“{name}”解压后过大（{_mb(total)}，上限{_mb(lim.max_unzipped_bytes)}），请拆分后导入。")
