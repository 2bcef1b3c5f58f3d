"""Minutes attachments of visits and meetings: size and type checks, scoped download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.checklist import login, page_checklist
from xiezuo.industry.models import Visit

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def post_minutes(visit, upload):
    data = {"pairing": visit.pairing_id, "kind": visit.kind, "title": visit.title, "direction": visit.direction,
            "start_on": visit.start_on.isoformat(), "end_on": visit.end_on.isoformat(), "places": visit.places,
            "topics": visit.topics, "loaded_version": visit.version, "minutes": upload,
            "officials-TOTAL_FORMS": "0", "officials-INITIAL_FORMS": "0"}
    return login("huangyuan").post(reverse("industry_visits_edit", args=[visit.pk]), data)


@pytest.fixture
def meeting(county):
    return Visit.objects.get(pairing=county, kind=Visit.JOINT_MEETING)


def test_pdf_minutes_are_stored_and_downloaded_within_scope(meeting):
    r = post_minutes(meeting, SimpleUploadedFile("联席会议纪要.pdf", PDF, content_type="application/pdf"))
    assert r.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes.name.endswith(".pdf")
    r = page_checklist(reverse("industry_visit_minutes", args=[meeting.pk]))
    assert b"".join(r.streaming_content) == PDF
    assert "attachment" in r["Content-Disposition"]
    html = login("lingdao").get(reverse("industry_visits_detail", args=[meeting.pk])).content.decode()
    assert reverse("industry_visit_minutes", args=[meeting.pk]) in html


def test_file_whose_content_is_not_its_type_is_refused(meeting):
    r = post_minutes(meeting, SimpleUploadedFile("纪要.pdf", b"MZ\x90\x00 not a pdf"))
    assert "会议纪要：文件“纪要.pdf”的内容与扩展名.pdf不符" in r.content.decode()
    meeting.refresh_from_db()
    assert not meeting.minutes


def test_other_extensions_are_refused(meeting):
    r = post_minutes(meeting, SimpleUploadedFile("纪要.exe", PDF))
    assert "会议纪要：文件“纪要.exe”的类型不允许" in r.content.decode()


def test_large_files_are_refused(meeting, settings):
    settings.XIEZUO_MAX_UPLOAD_BYTES = 1024 * 1024
    r = post_minutes(meeting, SimpleUploadedFile("纪要.pdf", PDF + b"0" * (1024 * 1024)))
    assert "会议纪要：文件“纪要.pdf”大小为1.0MB，超过上限1MB" in r.content.decode()
    meeting.refresh_from_db()
    assert not meeting.minutes


def test_no_minutes_is_a_404(county):
    visit = Visit.objects.get(pairing=county, kind=Visit.LEADER)
    assert login("liuhe").get(reverse("industry_visit_minutes", args=[visit.pk])).status_code == 404
