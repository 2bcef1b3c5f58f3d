"""Older spreadsheets: .xls (Excel 97-2003), WPS .et and .ods.

They are imported through the .xlsx path, not beside it: the upload is
read by calamine in a child process (`legacy_child.py`, started with the
venv's own interpreter in isolated mode) held to `legacy_memory_bytes` of
address space and `legacy_seconds` of time, which writes every sheet out as
an .xlsx (typed values, sheet visibility, hidden rows and columns, merged
ranges). That file then takes every check an uploaded .xlsx takes
(`safety.check_xlsx`, the streaming scan, the sliced reader), so the
limits and the memory bound of an import hold for it as they are.

A file claiming a huge range, a billion-laughs DTD or a cell repeated
millions of times can at worst make calamine ask for more memory than the
child may have: the child aborts, the web process does not, and the file is
refused with a message naming it. So is a child still running at the time
limit (it is killed). The child's own checks refuse most of these first
with a precise message (an .ods's used range counted with its repeats, a
DTD in its XML, an encrypted workbook).
"""

import contextlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .safety import OLE_MAGIC, LedgerFileError, check_size, check_zip_sizes, limits

CHILD = Path(__file__).with_name("legacy_child.py")
ODS_TYPE = b"application/vnd.oasis.opendocument.spreadsheet"
REFUSED = 3


def kind_of(path):
    """Return "xls" for an OLE compound file (.xls, .et, or an encrypted
    workbook), "ods" for an OpenDocument spreadsheet, None otherwise (an
    .xlsx, or whatever check_xlsx will refuse)."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_MAGIC):
        return "xls"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                info = zf.getinfo("mimetype")
                if info.file_size <= 100 and zf.read(info).strip() == ODS_TYPE:
                    return "ods"
        except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
            return None
    return None


@contextlib.contextmanager
def as_xlsx(path, filename):
    """Yield the path of an .xlsx holding the workbook at `path`: the file
    itself when it is one, else its conversion (removed afterwards)."""
    kind = kind_of(path)
    if kind is None:
        yield path
        return
    lim = limits()
    check_size(path, filename, lim)
    if kind == "ods":
        try:
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()
        except zipfile.BadZipFile:
            raise LedgerFileError(f"文件“{filename}”已损坏，无法打开。") from None
        if "content.xml" not in {i.filename for i in infos}:
            raise LedgerFileError(f"文件“{filename}”不是有效的ODS表格（缺少content.xml），无法导入。")
        check_zip_sizes(filename, infos, lim, sheets=("content.xml",))
    with tempfile.TemporaryDirectory(prefix="xiezuo-legacy-") as directory:
        target = Path(directory) / "converted.xlsx"
        convert(path, kind, target, filename, lim, directory)
        yield target


def convert(path, kind, target, filename, lim, directory):
    """Write the workbook at `path` as an .xlsx at `target` in a bounded
    child process; raise LedgerFileError when it cannot. Returns the child's
    peak resident memory in KB."""
    # calamine picks its reader by the extension: the child reads a link
    # named for what the content is, whatever the upload was called.
    source = Path(directory) / f"source.{kind}"
    os.symlink(os.path.abspath(path), source)
    command = [sys.executable, "-I", str(CHILD), str(source), kind, str(target), str(lim.legacy_memory_bytes),
               str(lim.max_rows), str(lim.max_columns), str(lim.legacy_max_cells)]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=lim.legacy_seconds,
                              env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"}, check=False)
    except subprocess.TimeoutExpired:
        raise LedgerFileError(f"文件“{filename}”读取超时（超过{lim.legacy_seconds}秒），文件可能过大或已损坏，"
                              "请在Excel或WPS中另存为.xlsx后再导入。") from None
    if done.returncode == 0 and target.exists():
        return int(done.stdout.split()[-1]) if done.stdout.split() else 0
    if done.returncode == REFUSED:
        message = done.stdout.decode("utf-8", "replace").strip()[:500]
        raise LedgerFileError(message.replace("{file}", f"文件“{filename}”"))
    if filename.lower().endswith(".et"):
        raise LedgerFileError(f"文件“{filename}”：WPS表格(.et)文件无法读取，请在WPS中另存为.xlsx后导入。")
    what = "ODS表格" if kind == "ods" else "旧版Excel（.xls）文件"
    raise LedgerFileError(f"文件“{filename}”是{what}，但无法读取（文件已损坏、已加密，或内容超出可处理的范围），"
                          "请在Excel或WPS中另存为.xlsx后再导入。")
