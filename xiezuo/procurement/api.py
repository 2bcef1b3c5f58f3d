"""OCDS exports of a pairing's tendering processes, one year at a time."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from xiezuo.accounts.scope import get_pairing

from . import ocds

router = Router(tags=["招投标监督"])


def _package(request, pairing_id, year, download, kind):
    pairing = get_pairing(request.user, pairing_id)
    if not 2000 <= year <= 2100:
        raise HttpError(422, _("年度应在2000至2100之间"))
    tenders = list(ocds.tenders_for(pairing, year))
    if not tenders:
        # A package must hold at least one release or record (the schema
        # says minItems 1), so an empty year is "nothing here", not a package.
        raise HttpError(404, _("%(year)s年没有招标采购事项，无可导出的数据") % {"year": year})
    build = ocds.release_package if kind == "release" else ocds.record_package
    pkg = build(tenders, request.build_absolute_uri(), pairing)
    response = HttpResponse(json.dumps(pkg, ensure_ascii=False, indent=1), content_type="application/json")
    if download:
        response["Content-Disposition"] = f'attachment; filename="ocds-{kind}-package-{pairing.pk}-{year}.json"'
    return response


@router.get("/pairings/{pairing_id}/ocds/release-package", response=dict)
def release_package(request, pairing_id: int, year: int, download: bool = False):
    """Return the OCDS 1.1.5 release package of the pairing's processes in `year`."""
    return _package(request, pairing_id, year, download, "release")


@router.get("/pairings/{pairing_id}/ocds/record-package", response=dict)
def record_package(request, pairing_id: int, year: int, download: bool = False):
    """Return the OCDS 1.1.5 record package of the pairing's processes in `year`."""
    return _package(request, pairing_id, year, download, "record")
