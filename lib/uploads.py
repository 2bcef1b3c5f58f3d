"""Checks on uploaded files: size and real type (by content, not by name).

A file is accepted only when its extension is allowed and its first bytes
match that type, so a renamed executable or HTML page is refused.
"""

import zipfile

SIGNATURES = {
    "jpg": ("image/jpeg", lambda head, f: head.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda head, f: head.startswith(b"\xff\xd8\xff")),
    "png": ("image/png", lambda head, f: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "pdf": ("application/pdf", lambda head, f: head.startswith(b"%PDF-")),
    # Legacy Word (.doc) is an OLE compound file.
    "doc": ("application/msword", lambda head, f: head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             lambda head, f: _ooxml(head, f, "word/")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             lambda head, f: _ooxml(head, f, "xl/")),
}
PHOTO_TYPES = ("jpg", "jpeg", "png")
DOCUMENT_TYPES = ("pdf", "docx", "xlsx", "jpg", "jpeg", "png")


def _ooxml(head, f, folder):
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as z:
            names = z.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        f.seek(0)
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)


def check_upload(f, allowed, max_bytes):
    """Return the content type of an uploaded file, or raise ValueError with
    a Chinese message saying what is wrong."""
    name = getattr(f, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in allowed:
        raise ValueError(f"文件“{name}”的类型不允许，仅支持 {'、'.join(allowed)} 格式")
    size = getattr(f, "size", None)
    if size is None:
        f.seek(0, 2)
        size = f.tell()
    if size == 0:
        raise ValueError(f"文件“{name}”是空文件")
    if size > max_bytes:
        raise ValueError(f"文件“{name}”大小为{size / 1048576:.1f}MB，超过上限{max_bytes / 1048576:.0f}MB")
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    content_type, matches = SIGNATURES[ext]
    if not matches(head, f):
        raise ValueError(f"文件“{name}”的内容与扩展名.{ext}不符，可能已损坏或被改名")
    return content_type
