"""Nothing shown to a role without the "pii" permission rebuilds a 身份证号.

A number is region (6) + birth date (8) + sequence (3) + check character.
The test collects every page, API answer and file about people that the
leader, the implementing unit, the auditor and the east office get (people,
jobs, rosters, talent exchange, ledger exports, an import preview, the audit
trail) and then, for every demo person with a number:

- the full number and the birth date (in any of the ways dates are written)
  appear nowhere;
- the numbers consistent with what was shown — the county's region code
  (assumed known, because the township is shown), every date in the range
  the shown decade allows, the shown last four, with a valid GB 11643 check
  character — are more than 50.
"""

import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lib.ids import id_check_char
from xiezuo.labour.models import Employment, Person, TalentExchange, TrainingClass
from xiezuo.ledgers.models import ImportJob
from xiezuo.pairings.models import Organisation

from ..checklist import login, token_client

pytestmark = pytest.mark.django_db

ROLES = ("lingdao", "yiyuan", "shenji", "liuhe")
MIN_CANDIDATES = 50
PREVIEW_CLASS = "不可还原测试培训班（示例）"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def date_forms(d):
    """Every way the project (or a person) might write a birth date."""
    return {f"{d:%Y%m%d}", d.isoformat(), f"{d.year}年{d.month}月{d.day}日", f"{d:%Y年%m月%d日}",
            f"{d:%Y/%m/%d}", f"{d.year}/{d.month}/{d.day}", f"{d:%Y.%m.%d}"}


def body_text(response):
    """Return what a response carries as text: pages, JSON and CSV as they
    are, workbooks cell by cell (dates written out, since Excel stores them
    as numbers)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:4] != b"PK\x03\x04":
        return content.decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, datetime.datetime):
                    value = value.date()
                cells.append(value.isoformat() if isinstance(value, datetime.date) else str(value or ""))
    return "\n".join(cells)


def upload_preview_with_full_numbers(county):
    """The west office exports the roster with full numbers; the east office
    uploads it as a new class. Return the import job (previewed, not
    confirmed): its page is readable by every role of the pairing."""
    r = login("huangyuan").get(reverse("ledger_export", args=[county.pk, "training"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    sheet = book.worksheets[0]
    header_row, name_col = next((c.row, c.column) for row in sheet.iter_rows(max_row=5) for c in row
                                if str(c.value or "").lstrip("*") == "培训班名称")
    for row in range(header_row + 1, sheet.max_row + 1):
        if sheet.cell(row, name_col).value:
            sheet.cell(row, name_col).value = PREVIEW_CLASS
    buf = io.BytesIO()
    book.save(buf)
    r = login("liuhe").post(reverse("ledger_upload", args=[county.pk, "training"]),
                            {"file": SimpleUploadedFile("roster.xlsx", buf.getvalue()), "mode": "append"})
    assert r.status_code == 302
    job = ImportJob.objects.get(filename="roster.xlsx")
    assert job.status == ImportJob.PREVIEWED and job.result["added"] >= 150, job.result
    return job


def collect(role, county, job):
    """Return {url: text} of every page, API answer and file about people the role gets."""
    c, api = login(role), token_client(role)
    urls = [reverse("labour_person_list", args=[county.pk]) + f"?page={n}" for n in range(1, 6)]
    people = list(Person.objects.filter(pairing__path__startswith=county.path).order_by("pk"))
    urls += [reverse("labour_person_detail", args=[p.pk]) for p in people]
    urls += [reverse("labour_person_edit", args=[p.pk]) for p in people[:5]]
    urls += [reverse("labour_employment_list", args=[county.pk])]
    urls += [reverse("labour_employment_detail", args=[j.pk]) for j in Employment.objects.filter(pairing=county)]
    urls += [reverse("labour_class_list", args=[county.pk])]
    for tc in TrainingClass.objects.filter(pairing=county):
        urls += [reverse("labour_class_detail", args=[tc.pk]), reverse("labour_roster_export", args=[tc.pk])]
    hospital = Organisation.objects.get(name="湟源县人民医院")
    urls += [reverse("labour_talent_list", args=[county.pk]),
             reverse("labour_talent_unit", args=[county.pk, hospital.pk])]
    exchanges = TalentExchange.objects.filter(pairing__path__startswith=county.path)
    urls += [reverse("labour_talent_detail", args=[x.pk]) for x in exchanges]
    urls += [reverse("ledger_export", args=[county.pk, ledger]) for ledger in ("training", "employment", "talent")]
    urls += [reverse("ledger_job", args=[job.pk])]
    urls += [reverse("audit_list") + f"?model=labour.Person&page={n}" for n in range(1, 6)]
    urls += [reverse("audit_list") + f"?page={n}" for n in range(1, 4)]
    shown = {}
    for url in urls:
        r = c.get(url)
        assert r.status_code in (200, 403, 404), (role, url, r.status_code)
        if r.status_code == 200:
            shown[url] = body_text(r)
    api_urls = [f"/api/v1/labour/pairings/{county.pk}/people", f"/api/v1/labour/pairings/{county.pk}/employments",
                f"/api/v1/labour/pairings/{county.pk}/exchanges", f"/api/v1/labour/pairings/{county.pk}/classes"]
    api_urls += [f"/api/v1/labour/people/{p.pk}" for p in people]
    api_urls += [f"/api/v1/labour/classes/{tc.pk}" for tc in TrainingClass.objects.filter(pairing=county)]
    for url in api_urls:
        r = api.get(url)
        # The implementing unit reads no labour register: its lists are empty
        # and each person is 404.
        assert r.status_code in ((200, 404) if role == "yiyuan" else (200,)), (role, url, r.status_code)
        if r.status_code == 200:
            shown[url] = body_text(r)
    return shown


def candidates(region, masked, first, last):
    """Count the numbers consistent with what was shown: `region` (six digits,
    assumed known), any date from `first` to `last`, the shown last four.
    Counting stops past MIN_CANDIDATES: more would not change the verdict."""
    assert region.startswith(masked[:4].replace("*", "")), (region, masked)
    sequence, check = masked[-4:-1], masked[-1]
    count, day = 0, first
    while day <= last and count <= MIN_CANDIDATES:
        if id_check_char(f"{region}{day:%Y%m%d}{sequence}") == check:
            count += 1
        day += datetime.timedelta(days=1)
    return count


def shown_range(decade):
    """The birth dates a shown decade ("1990年代") allows; any date when none is shown."""
    if not decade:
        return datetime.date(1900, 1, 1), datetime.date.today()
    start = int(re.match(r"(\d{4})年代", decade).group(1))
    return datetime.date(start, 1, 1), datetime.date(start + 9, 12, 31)


@pytest.mark.parametrize("role", ROLES)
def test_no_role_without_pii_can_rebuild_a_number(role, county):
    job = upload_preview_with_full_numbers(county)
    shown = collect(role, county, job)
    texts = "\n".join(shown.values())
    # Not vacuous: the role saw the people pages and the API, and (auditor) the
    # trail; the implementing unit reads no labour register and no import
    # preview at all, only the talent page of its own unit.
    unit = role == "yiyuan"
    assert any(u.startswith("/labour/people/") for u in shown) != unit and any(u.startswith("/api/") for u in shown)
    if role == "shenji":
        assert any(u.startswith("/audit/") for u in shown)
    if unit:
        assert not any("/ledger-imports/" in u for u in shown) and any("/talent/units/" in u for u in shown)
    people = {p["id"]: p for p in token_client(role).get(
        f"/api/v1/labour/pairings/{county.pk}/people").json()}
    assert bool(people) != unit
    demo = Person.objects.filter(is_demo=True, pairing__path__startswith=county.path).exclude(id_number_enc="")
    assert demo.count() == 150
    for person in demo:
        number = person.reveal_id_number()
        leaked = [form for form in {number} | date_forms(person.birth_date) if form in texts]
        assert not leaked, (role, person.name, leaked, [u for u in shown if leaked[0] in shown[u]][:3])
        if unit:
            continue
        listed = people[person.pk]
        assert listed["id_number_masked"] in texts
        first, last = shown_range(listed["birth_decade"])
        region = number[:6]  # the county's code: public, and the township is shown
        n = candidates(region, listed["id_number_masked"], first, last)
        assert n > MIN_CANDIDATES, (role, person.name, listed["id_number_masked"], listed["birth_decade"], n)


def test_the_west_office_sees_the_birth_date_only_by_revealing(county, client_for):
    """The "pii" role is shown the same page; the date comes with the audited reveal."""
    person = Person.objects.filter(is_demo=True, pairing=county).exclude(id_number_enc="").order_by("pk").first()
    c = client_for("huangyuan")
    page = c.get(reverse("labour_person_detail", args=[person.pk])).content.decode()
    assert person.birth_decade in page and not any(f in page for f in date_forms(person.birth_date))
    from xiezuo.audit.models import AuditEvent

    before = AuditEvent.objects.filter(action="view_pii").count()
    r = token_client("huangyuan").post(f"/api/v1/labour/people/{person.pk}/reveal")
    assert r.json()["birth_date"] == person.birth_date.isoformat()
    assert r.json()["id_number"] == person.reveal_id_number()
    assert AuditEvent.objects.filter(action="view_pii").count() == before + 1


def test_the_audit_trail_keeps_the_decade_and_shows_old_events_masked(county, users):
    """New snapshots hold the decade; an event written before (full date, old
    mask) is shown masked by today's rule, since the chain cannot be rewritten."""
    from xiezuo.audit.context import acting_as
    from xiezuo.audit.models import AuditEvent, record

    person = Person.objects.filter(is_demo=True, pairing=county).exclude(id_number_enc="").order_by("pk").first()
    event = AuditEvent.objects.filter(model="labour.Person", object_id=str(person.pk), action="create").get()
    assert event.after["birth_date"] == person.birth_decade
    assert event.after["id_number_masked"] == person.id_number_masked
    number = person.reveal_id_number()
    with acting_as(users["admin"]):
        old = record("update", model="labour.Person", object_id=person.pk, pairing_id=county.pk,
                     before={"birth_date": None, "id_number_masked": ""},
                     after={"birth_date": person.birth_date.isoformat(),
                            "id_number_masked": number[:6] + "********" + number[-4:]})
    assert dict((k, a) for k, _, a in old.changed_fields()) == {
        "birth_date": person.birth_decade, "id_number_masked": person.id_number_masked}
    page = login("shenji").get(reverse("audit_list") + f"?object_id={person.pk}").content.decode()
    assert not any(f in page for f in date_forms(person.birth_date)) and number[:6] + "*" not in page
