"""Take a workbook apart and put it back together, to craft damaged files."""

import zipfile


def read_parts(path):
    """Return ({part name: bytes}, the name of its first worksheet part)."""
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    return parts, next(name for name in parts if name.startswith("xl/worksheets/"))


def write_parts(parts, path, compression=zipfile.ZIP_STORED):
    """Write the parts as a workbook at `path`; return the zip's entries by name."""
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
        return {info.filename: info for info in zf.infolist()}
