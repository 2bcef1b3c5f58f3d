"""The public disclosure page and project attachments."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from xiezuo.funds.models import Project, ProjectAttachment

from ..checklist import login
from .conftest import user

pytestmark = pytest.mark.django_db



def _png():
    # A real image: every kept photo is decoded and written again (lib.uploads).
    buf = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


PNG = _png()
PDF = b"%PDF-1.4\n%test\n"


def test_disclosure_is_public_and_lists_projects_and_receipts(county):
    r = Client().get(reverse("disclosure", args=[county.pk]) + "?year=2022")
    assert r.status_code == 200
    html = r.content.decode()
    names = Project.objects.filter(pairing=county, year=2022).values_list("name", flat=True)
    assert len(names) == 12 and all(n in html for n in names)
    assert "湟源县人民医院" in html and "乡村振兴产业孵化园" in html and "实施" in html
    assert "3000万元" in html and "1220万元" in html and "财政援助资金" in html
    assert "湟源牦牛肉精深加工项目（示例）" not in html  # only the year asked for


def test_disclosure_shows_no_personal_data(county):
    html = Client().get(reverse("disclosure", args=[county.pk]) + "?year=2022").content.decode()
    for secret in ("湟源县协作办", "六合区协作办", "huangyuan", "liuhe", "HYXZ", "凭证", "提交人", "法定代表人"):
        assert secret not in html, secret
    # The signed-in navigation (user names, audit links) is not on the public page.
    assert "审计日志" not in html and "退出" not in html


def test_disclosure_disappears_when_switched_off(county):
    url = reverse("disclosure", args=[county.pk])
    county.disclosure_enabled = False
    county.save()
    assert Client().get(url).status_code == 404
    assert county.name not in Client().get(reverse("disclosure_index")).content.decode()
    # Off on a sub-pairing hides its receipts from the county page.
    county.disclosure_enabled = True
    county.save()
    township = county.children.get(level="township", east_region__name="雄州街道")
    township.disclosure_enabled = False
    township.save()
    html = Client().get(url + "?year=2021").content.decode()
    assert "六合区雄州街道—湟源县大华镇" not in html and "六合区程桥街道—湟源县和平乡" in html


def upload(c, project, name, content, kind="photo"):
    return c.post(reverse("attachment_upload", args=[project.pk]),
                  {"kind": kind, "title": "现场照片", "file": SimpleUploadedFile(name, content)}, follow=True)


def test_photos_are_checked_for_type_and_size(settings, tmp_path, hospital_project):
    settings.MEDIA_ROOT = tmp_path
    settings.XIEZUO_FUNDS_MAX_ATTACHMENT_BYTES = 1000
    c = login("yiyuan")
    r = upload(c, hospital_project, "evil.png", b"<html><script>alert(1)</script></html>")
    assert "内容与扩展名.png不符" in r.content.decode()
    r = upload(c, hospital_project, "run.exe", PNG)
    assert "类型不允许" in r.content.decode()
    r = upload(c, hospital_project, "big.png", PNG + b"\0" * 2000)
    assert "超过上限" in r.content.decode()
    r = upload(c, hospital_project, "report.pdf", PDF)  # a PDF is a document, not a photo
    assert "类型不允许" in r.content.decode()
    assert not hospital_project.attachments.exists()
    r = upload(c, hospital_project, "site.png", PNG)
    a = hospital_project.attachments.get()
    assert a.content_type == "image/png" and a.uploaded_by == user("yiyuan")
    body = b"".join(c.get(reverse("attachment_download", args=[a.pk])).streaming_content)
    assert a.size == len(body) and Image.open(io.BytesIO(body)).getpixel((0, 0)) == (200, 30, 30)
    assert login("outsider").get(reverse("attachment_download", args=[a.pk])).status_code == 404
    assert login(None).get(reverse("attachment_download", args=[a.pk])).status_code == 302


def test_documents_accept_real_office_files_only(settings, tmp_path, hospital_project):
    settings.MEDIA_ROOT = tmp_path
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    c = login("huangyuan")
    r = upload(c, hospital_project, "ledger.docx", buf.getvalue(), kind="document")
    assert "内容与扩展名.docx不符" in r.content.decode()
    upload(c, hospital_project, "ledger.xlsx", buf.getvalue(), kind="document")
    upload(c, hospital_project, "acceptance.pdf", PDF, kind="document")
    assert sorted(hospital_project.attachments.values_list("content_type", flat=True)) == [
        "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]


def test_only_the_own_unit_or_an_office_updates_progress(settings, tmp_path, county, hospital_project):
    settings.MEDIA_ROOT = tmp_path
    other = Project.objects.get(code="HY-2022-12")  # implemented by the labour bureau
    # Another unit's project is not even visible to an implementing unit.
    assert upload(login("yiyuan"), other, "a.png", PNG).status_code == 404
    assert upload(login("lingdao"), hospital_project, "a.png", PNG).status_code == 403
    url = reverse("project_progress", args=[hospital_project.pk])
    assert login("yiyuan").get(reverse("project_progress", args=[other.pk])).status_code == 404
    data = {"outputs-TOTAL_FORMS": "1", "outputs-INITIAL_FORMS": "0", "outputs-0-name": "监护设备",
            "outputs-0-quantity": "6", "outputs-0-unit": "台", "beneficiaries-TOTAL_FORMS": "1",
            "beneficiaries-INITIAL_FORMS": "0", "beneficiaries-0-kind": "patients", "beneficiaries-0-count": "1200"}
    r = login("yiyuan").post(url, data)
    assert r.status_code == 302
    assert str(hospital_project.outputs.get()) == "监护设备 6 台"
    assert hospital_project.beneficiaries.get().count == 1200
    assert ProjectAttachment.objects.filter(project=other).count() == 0
