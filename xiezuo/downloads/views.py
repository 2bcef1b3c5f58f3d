from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.front.downloads import file_download
from xiezuo.front.params import FIRST_YEAR, LAST_YEAR, int_or_none
from xiezuo.front.years import chosen_year

from . import services
from .models import Download


def _download(request, download_id):
    # A file is made under its requester's scope: it is theirs alone, and
    # still only while they may read the pairing.
    return scope_for(request.user).get(Download.objects.filter(user=request.user).select_related("pairing"),
                                       download_id)


@login_required
def download_start(request, pairing_id, kind):
    if kind not in services.KINDS:
        return HttpResponse(_("没有这种下载"), status=404)
    pairing = get_pairing(request.user, pairing_id, services.KINDS[kind].perm)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.purge()  # every new download first clears what earlier ones left
    # The year of the form, else (a form without one) the year chosen in the switcher.
    year = (int_or_none(request.POST.get("year"), FIRST_YEAR, LAST_YEAR) if "year" in request.POST
            else chosen_year(request, pairing.pk))
    download = services.start(pairing, request.user, kind, ledger=request.POST.get("ledger", "")[:30], year=year)
    if download.status == Download.READY and not download.queued:
        return redirect("download_file", download.pk)
    return redirect("download_detail", download.pk)


@login_required
def download_detail(request, download_id):
    download = _download(request, download_id)
    return render(request, "downloads/detail.html", {"download": download, "pairing": download.pairing})


@login_required
def download_progress(request, download_id):
    download = _download(request, download_id)
    if not download.running or download.interrupted:
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return render(request, "downloads/progress.html", {"download": download})


@login_required
def download_retry(request, download_id):
    download = _download(request, download_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.retry(download)
    return redirect("download_detail", download.pk)


@login_required
def download_file(request, download_id):
    download = _download(request, download_id)
    return file_download(download.file, download.filename or None)
