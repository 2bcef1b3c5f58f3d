"""Checks on uploaded files: size and real type (by content, not by name).

A file is accepted only when its extension is allowed and its first bytes
match that type, so a renamed executable or HTML page is refused.

Every image that passes is decoded and written again by Pillow, without its
metadata, before it is stored: a phone's photo carries EXIF tags with the GPS
position of a village household, the owner's name (Artist), comments and
sometimes a phone number (UserComment, XPComment), and PNG text chunks can
hold the same. Re-encoding keeps the pixels only (turned upright first, since
the orientation tag goes too), and a file that does not decode as the image
it claims to be is refused. Because this happens here, in the one check every
upload goes through, no upload path can keep a photo as it came.
"""

import io
import zipfile

from PIL import Image, ImageOps
from django.utils.translation import gettext as _

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
    # Excel 97-2003 and WPS 表格 are OLE compound files too; what they hold
    # is the ledger importer's to check (xiezuo/ledgers/legacy.py).
    "xls": ("application/vnd.ms-excel", lambda head, f: head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")),
    "et": ("application/vnd.ms-excel", lambda head, f: head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", lambda head, f: _ods(head, f)),
}
PHOTO_TYPES = ("jpg", "jpeg", "png")
IMAGE_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG"}
DOCUMENT_TYPES = ("pdf", "docx", "xlsx", "jpg", "jpeg", "png")
SPREADSHEET_TYPES = ("xlsx", "xls", "et", "ods")  # what the ledger import reads
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


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


def _ods(head, f):
    """An OpenDocument spreadsheet: a zip whose `mimetype` entry says so."""
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as z:
            info = z.getinfo("mimetype")
            return info.file_size <= 100 and z.read(info).strip() == ODS_MIMETYPE
    except (KeyError, zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError):
        return False
    finally:
        f.seek(0)


def check_upload(f, allowed, max_bytes):
    """Return the content type of an uploaded file, or raise ValueError with
    a Chinese message saying what is wrong."""
    name = getattr(f, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in allowed:
        raise ValueError(_("文件“%(name)s”的类型不允许，仅支持 %(join)s 格式") % {"name": name, "join": '、'.join(allowed)})
    size = getattr(f, "size", None)
    if size is None:
        f.seek(0, 2)
        size = f.tell()
    if size == 0:
        raise ValueError(_("文件“%(name)s”是空文件") % {"name": name})
    if size > max_bytes:
        raise ValueError(_("文件“%(name)s”大小为%(value)sMB，超过上限%(value2)sMB") % {"name": name, "value": format(size / 1048576, '.1f'), "value2": format(max_bytes / 1048576, '.0f')})
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    content_type, matches = SIGNATURES[ext]
    if not matches(head, f):
        raise ValueError(_("文件“%(name)s”的内容与扩展名.%(ext)s不符，可能已损坏或被改名") % {"name": name, "ext": ext})
    if ext in IMAGE_FORMATS:
        _replace_content(f, strip_metadata(f, IMAGE_FORMATS[ext], name))
    return content_type


def strip_metadata(f, fmt, name=""):
    """Return the image in `f` written again as `fmt` with no metadata (no
    EXIF, no XMP, no comments, no PNG text), turned upright; raise
    ValueError with a Chinese message when it does not decode."""
    f.seek(0)
    try:
        with Image.open(f) as img:
            if img.format != fmt:
                raise ValueError(_("文件“%(name)s”不是有效的%(fmt)s图片") % {"name": name, "fmt": fmt})
            img.load()
            upright = ImageOps.exif_transpose(img)
    except (OSError, SyntaxError, Image.DecompressionBombError) as e:
        raise ValueError(_("文件“%(name)s”无法识别为图片（%(name2)s），可能已损坏") % {"name": name, "name2": type(e).__name__}) from None
    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    # A fresh image holds the pixels only: whatever `info` the decoder found
    # (exif, xmp, comment, text chunks) is not carried over.
    clean = Image.new(upright.mode, upright.size)
    if upright.mode == "P":
        clean.putpalette(upright.getpalette())
        if "transparency" in upright.info:
            clean.info["transparency"] = upright.info["transparency"]
    clean.paste(upright)
    out = io.BytesIO()
    options = {"quality": 90, "optimize": True} if fmt == "JPEG" else {"optimize": True}
    clean.save(out, fmt, **options)
    return out.getvalue()


def _replace_content(f, data):
    """Put `data` in place of an uploaded file's content (Django's in-memory
    and temporary uploads both hold a seekable file), so the caller stores
    the cleaned image without knowing it changed."""
    target = getattr(f, "file", f)
    target.seek(0)
    target.truncate()
    target.write(data)
    target.seek(0)
    if hasattr(f, "size"):
        f.size = len(data)
