"""Stored files leave only through views that checked who asks.

Uploaded files (vouchers, evidence, tender documents, attachments, minutes)
are never served from a public /media/ URL: each has a view that fetches the
owning record through the scoping helper first, then hands the file over
with this function.
"""

import mimetypes

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _


def file_download(field_file, filename=None):
    """Return a stored file as a download (404 when there is none).

    Always `Content-Disposition: attachment` and `X-Content-Type-Options:
    nosniff`: an uploaded file is never rendered by the browser as a page of
    this site, whatever its name or content claims.
    """
    if not field_file:
        raise Http404(_("没有附件"))
    try:
        fh = field_file.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件文件不存在")) from None
    # The name the file was made under, not the stored one: storage adds a
    # suffix (report_DhKEQxv.docx) when a file of that name is already kept.
    filename = filename or field_file.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(fh, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
