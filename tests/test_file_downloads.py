"""Uploaded files leave only through views that fetch the owning record
through the scoping helper: the owner's users download the bytes (always as
an attachment, never sniffed), another pairing's user gets 404, an anonymous
visitor is sent to the login page, and there is no /media/ URL at all."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from xiezuo.assessment import computations
from xiezuo.assets.models import Asset
from xiezuo.assessment.models import Indicator, ManualActual
from xiezuo.consumption.models import Sale
from xiezuo.funds.models import ProjectAttachment
from xiezuo.industry.models import Visit
from xiezuo.notices.models import NoticePosting
from xiezuo.pairings.models import PairingDocument
from xiezuo.procurement.models import Tender, TenderDocument
from xiezuo.rectification.models import Rectification

from .checklist import login

pytestmark = pytest.mark.django_db
BYTES = b"%PDF-1.4\n% scanned voucher with a signature\n"


def stored(instance, field, name):
    getattr(instance, field).save(name, ContentFile(BYTES), save=False)
    instance.save()
    return instance


@pytest.fixture
def files(county, settings, tmp_path):
    """One record with a stored file of every kind, on the demo county pair: (url, stored name)."""
    settings.MEDIA_ROOT = tmp_path
    project = county.projects.order_by("pk").first()
    attachment = stored(ProjectAttachment(project=project, kind="document", title="验收报告", content_type="application/pdf",
                                          size=len(BYTES)), "file", "acceptance.pdf")
    tender = Tender.objects.filter(pairing=county).order_by("pk").first()
    document = stored(TenderDocument(tender=tender, kind="other", title="评标报告"), "file", "report.pdf")
    indicator = Indicator.objects.create(code="evidence-test", name="佐证测试指标", unit="个",
                                         computation=computations.MANUAL, order=99)
    actual = stored(ManualActual(pairing=county, indicator=indicator, year=2031, value=1), "evidence", "evidence.pdf")
    sale = stored(Sale.objects.filter(pairing=county).order_by("pk").first(), "voucher", "voucher.pdf")
    pairing_doc = stored(PairingDocument(pairing=county, title="结对帮扶协议"), "file", "agreement.pdf")
    out = [
        (reverse("attachment_download", args=[attachment.pk]), attachment.file.name),
        (reverse("procurement_document", args=[document.pk]), document.file.name),
        (reverse("assessment:manual_actual_evidence", args=[actual.pk]), actual.evidence.name),
        (reverse("consumption_sale_voucher", args=[sale.pk]), sale.voucher.name),
        (reverse("pairing_document_file", args=[pairing_doc.pk]), pairing_doc.file.name),
    ]
    task = Rectification.objects.filter(pairing=county).order_by("pk").first()
    stored(task, "source_file", "inspection.pdf")
    stored(task, "evidence_file", "evidence.pdf")
    out += [(reverse("rectification_source_file", args=[task.pk]), task.source_file.name),
            (reverse("rectification_evidence_file", args=[task.pk]), task.evidence_file.name)]
    asset = Asset.objects.filter(pairing=county).order_by("pk").first()
    stored(asset, "handover_file", "handover.pdf")
    out.append((reverse("asset_handover_file", args=[asset.pk]), asset.handover_file.name))
    posting = NoticePosting.objects.filter(notice__pairing=county).exclude(channel="county_site").order_by("pk").first()
    stored(posting, "photo", "board.pdf")
    out.append((reverse("notice_posting_photo", args=[posting.pk]), posting.photo.name))
    visit = Visit.objects.filter(pairing=county).order_by("pk").first()
    if visit is not None:
        stored(visit, "minutes", "minutes.pdf")
        out.append((reverse("industry_visit_minutes", args=[visit.pk]), visit.minutes.name))
    return out


def test_owner_downloads_outsider_404_anonymous_to_login(files):
    assert len(files) >= 5
    for url, name in files:
        for role in ("lingdao", "shenji", "huangyuan"):
            r = login(role).get(url)
            assert r.status_code == 200, (url, role, r.status_code)
            assert b"".join(r.streaming_content) == BYTES, url
            assert r["Content-Disposition"].startswith("attachment"), url
            assert r["X-Content-Type-Options"] == "nosniff", url
        assert login("outsider").get(url).status_code == 404, url
        r = login(None).get(url)
        assert r.status_code == 302 and "/login/" in r["Location"], url
        # The stored file has no public address.
        assert login("huangyuan").get("/media/" + name).status_code == 404, name


def test_photos_are_attachments_too(county, settings, tmp_path):
    """A photo is handed over as a download as well: shown in an <img> it
    still displays, but never opens as a page of the site."""
    settings.MEDIA_ROOT = tmp_path
    project = county.projects.order_by("pk").first()
    photo = stored(ProjectAttachment(project=project, kind="photo", title="现场", content_type="image/png", size=3),
                   "file", "site.png")
    r = login("lingdao").get(reverse("attachment_download", args=[photo.pk]))
    assert r["Content-Disposition"].startswith("attachment") and r["Content-Type"] == "image/png"


def test_no_template_links_to_media():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.html")
                 if "/media/" in p.read_text() or ".url }}" in p.read_text()]
    assert offenders == []
