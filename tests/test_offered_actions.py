"""Actions are offered only when they are allowed: on the project,
disbursement and tender pages no role is shown a link or a button that
would answer "not allowed" (403) when used."""

import re

import pytest
from django.urls import reverse

from xiezuo.funds.models import Disbursement, Project
from xiezuo.procurement.models import Tender

from .checklist import login
from .test_authz_walk import ROLES

pytestmark = pytest.mark.django_db

MAIN = re.compile(r"<main.*?</main>", re.S)
LINK = re.compile(r'<a [^>]*href="(/[^"#?]*)')
FORM = re.compile(r'<form [^>]*method="post"[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def pages(county):
    project = Project.objects.filter(pairing=county).order_by("pk").first()
    returned = Disbursement.objects.filter(project__pairing=county).exclude(status="confirmed").first()
    tender = Tender.objects.filter(project__pairing=county).order_by("pk").first()
    unit = Project.objects.filter(pairing__path__startswith=county.path, implementing_unit__isnull=False).first()
    out = [reverse("project_detail", args=[project.pk]), reverse("project_detail", args=[unit.pk]), reverse("procurement_tender", args=[tender.pk]),
           reverse("disbursement_list", args=[county.pk])]
    if returned:
        out.append(reverse("project_detail", args=[returned.project_id]))
    return out


@pytest.mark.parametrize("role", ROLES)
def test_no_action_is_offered_that_would_be_refused(county, role):
    client = login(role)
    offered = seen = 0
    for page in pages(county):
        r = client.get(page)
        if r.status_code in (403, 404):
            continue  # a page the role does not reach (a unit sees its own projects only)
        assert r.status_code == 200, (role, page)
        seen += 1
        main = MAIN.search(r.content.decode()).group(0)
        for href in set(LINK.findall(main)):
            if href.startswith(("/static/", "/api/")):
                continue
            offered += 1
            assert client.get(href).status_code != 403, (role, page, "links to", href)
        for action, body in FORM.findall(main):
            offered += 1
            answer = client.post(action, dict(HIDDEN.findall(body)))
            assert answer.status_code != 403, (role, page, "offers the form", action)
    assert seen and offered
