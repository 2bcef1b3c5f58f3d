"""Auditors read the audit events of no pairing by region, like organisations."""

from django.urls import reverse

from xiezuo.accounts.models import APIToken, User
from xiezuo.audit.models import AuditEvent, verify_chain
from xiezuo.pairings.models import Organisation, Region

from .checklist import login


def test_an_auditor_reads_organisations_of_its_regions_only(county):
    inside = Organisation.objects.create(name="湟源县审计范围内示例公司（示例）", kind="enterprise",
                                         region=Region.objects.get(name="湟源县"))
    elsewhere = Region.objects.exclude(path__startswith=county.west_region.path).exclude(
        path__startswith=county.east_region.path).order_by("-path").first()
    outside = Organisation.objects.create(name="范围外示例公司（示例）", kind="enterprise", region=elsewhere)
    APIToken.issue(User.objects.get(username="outsider"), name="别处的令牌")
    inside_event = AuditEvent.objects.get(model="pairings.Organisation", object_id=str(inside.pk))
    assert inside_event.pairing_id is None and inside_event.region_path == inside.region.path

    html = login("shenji").get(reverse("audit_list") + "?model=Organisation").content.decode()
    assert inside.name in html and outside.name not in html
    tokens = login("shenji").get(reverse("audit_list") + "?model=APIToken").content.decode()
    assert "别处的令牌" not in tokens
    # The administrator reads everything; the chain still verifies with the new field hashed.
    assert outside.name in login("admin").get(reverse("audit_list") + "?model=Organisation").content.decode()
    assert verify_chain()[1] is None


def test_the_region_of_an_unfiled_event_is_part_of_its_hash(county):
    org = Organisation.objects.create(name="哈希示例公司（示例）", kind="enterprise",
                                      region=Region.objects.get(name="湟源县"))
    event = AuditEvent.objects.get(model="pairings.Organisation", object_id=str(org.pk))
    AuditEvent.objects.filter(pk=event.pk).update(region_path="/0/")
    count, broken, reason = verify_chain()
    assert broken is not None and broken.pk == event.pk
