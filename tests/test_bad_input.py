"""Bad input never answers 500 (docs/RELIABILITY.md, "Bad input").

Control characters are refused in one place (front.middleware.BadInputMiddleware)
with 400 and a Chinese message naming the parameter, before anything is
saved; malformed parameters (years, ids, filters, pages) give 404 or the page
with a message; an edit that does not carry the version it read is refused.
"""

import json

import pytest
from django.http import QueryDict

from xiezuo.audit.models import AuditEvent
from xiezuo.pairings.models import Organisation

from .checklist import login, token_client
from .test_authz_walk import SHARDS, pages

pytestmark = pytest.mark.django_db

REFUSED = "不允许的控制字符"

# Every query parameter a page reads, each with values that once crashed a
# view or could: letters where a number goes, absurd years, ids beyond any
# integer column of PostgreSQL, negative pages, unknown choices.
BAD_QUERIES = [
    "year=10045865", "year=abc", "year=-1", "year=0", "year=99999999999999999999",
    "region=abc", "region=99999999999999", "edit=abc", "edit=99999999999999",
    "from=1&to=99999999", "from=abc&to=2022", "page=abc", "page=-5", "page=99999999999",
    "township=99999999999999", "category=99999999999999", "kind=zz", "status=zz", "sort=zz",
    "cursor=abc", "before=abc", "cursor=eyJ4IjogMX0", "since=abc", "until=2022-13-45",
    "object_id=abc", "overdue=zz", "household=zz", "limit=-1", "q=" + "长" * 3000,
]


# -- which parameters a page reads ----------------------------------------------
#
# Sending every bad query to every page cost over five minutes. A bad value
# can only matter to a page that reads its parameter, so each page is first
# opened once with a harmless parameter (so that `Form(request.GET or None)`
# binds) while its query dict records the names it is asked for; the bad
# queries that name one of them are sent. A page that walks the whole query
# (items(), keys(), dict()) gets every bad query, as before.

READS = set()


class RecordingQueryDict(QueryDict):
    """A request's GET that notes each name read into READS ("*" when the
    whole query is walked). Copies record too; building, copying and
    urlencode (the pagination links) read nothing on their own."""

    _quiet = False

    def __init__(self, *args, **kwargs):
        self._quietly(super().__init__, *args, **kwargs)

    def _read(self, key):
        if not self._quiet:
            READS.add(key)

    def _quietly(self, method, *args, **kwargs):
        was, self._quiet = self._quiet, True
        try:
            return method(*args, **kwargs)
        finally:
            self._quiet = was

    def __getitem__(self, key):
        self._read(key)
        return super().__getitem__(key)

    def _getlist(self, key, *args, **kwargs):
        self._read(key)
        return super()._getlist(key, *args, **kwargs)

    def __contains__(self, key):
        self._read(key)
        return super().__contains__(key)

    def __iter__(self):
        self._read("*")
        return super().__iter__()

    def keys(self):
        self._read("*")
        return super().keys()

    def lists(self):
        self._read("*")
        return super().lists()

    def __copy__(self):
        return self._quietly(super().__copy__)

    def __deepcopy__(self, memo):
        return self._quietly(super().__deepcopy__, memo)

    def urlencode(self, safe=None):
        return self._quietly(super().urlencode, safe)


class RecordReads:
    """Test middleware, last in the chain: the view (and its templates) get
    the recording dict; the middleware before it (the control-character
    guard reads every value) do not count."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        request.GET = RecordingQueryDict(request.META.get("QUERY_STRING", ""), encoding=request.encoding)


@pytest.fixture
def recording(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_bad_input.RecordReads"]


def read_by(client, url):
    """Open `url` once; return the parameter names it read and the answer."""
    READS.clear()
    r = client.get(f"{url}?_probe=1")
    return set(READS), r


def queries_for(reads):
    return [q for q in BAD_QUERIES if "*" in reads or {part.split("=")[0] for part in q.split("&")} & reads]



@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_page_answers_500_to_a_bad_parameter(shard, county, recording):
    client = login("admin")
    # Collect every 500 instead of stopping at the first exception.
    client.raise_request_exception = False
    checked, failed = 0, []
    for url, _name, _record in pages(county)[shard::SHARDS]:
        reads, r = read_by(client, url)
        if r.status_code >= 500:
            failed.append((url, "_probe=1", r.status_code))
        for query in queries_for(reads):
            r = client.get(f"{url}?{query}")
            if r.status_code >= 500:
                failed.append((url, query, r.status_code))
        checked += 1
    assert not failed, "\n".join(map(str, failed))
    assert checked > 20


def test_the_probe_sees_the_parameters_a_page_reads(county, recording):
    # Without this, a recorder that saw nothing would let every page pass
    # with no bad query sent.
    client = login("admin")
    assert {"year"} <= read_by(client, f"/assessment/pairings/{county.pk}/")[0]
    assert {"q", "page"} <= read_by(client, f"/pairings/{county.pk}/labour/people/")[0]
    assert queries_for({"page"}) == ["page=abc", "page=-5", "page=99999999999"]
    assert queries_for({"*"}) == BAD_QUERIES
    assert queries_for({"to"}) == ["from=1&to=99999999", "from=abc&to=2022"]
    assert queries_for(set()) == []


@pytest.mark.parametrize("url", [
    "/assessment/pairings/{p}/report/99999.xlsx",
    "/assessment/pairings/{p}/report/1999.docx",
    "/assessment/pairings/{p}/report/10045865.xlsx",
    "/assessment/pairings/{p}/self-evaluation/99999/",
    "/assessment/pairings/{p}/manual/0/",
])
def test_report_routes_refuse_absurd_years_with_404(url, county):
    r = login("huangyuan").get(url.format(p=county.pk))
    assert r.status_code == 404, (url, r.status_code)


@pytest.mark.parametrize("query", ["region=abc", "region=99999999999999", "year=10045865", "year=abc"])
def test_rollup_page_refuses_bad_parameters(query):
    assert login("admin").get(f"/assessment/rollup/?{query}").status_code == 404


def test_manual_actual_edit_with_a_bad_id_is_404(county):
    r = login("huangyuan").get(f"/assessment/pairings/{county.pk}/manual/2022/?edit=abc")
    assert r.status_code == 404


# -- control characters ------------------------------------------------------

def test_nul_in_a_search_is_refused_in_chinese(county):
    r = login("huangyuan").get(f"/pairings/{county.pk}/labour/people/?q=%00")
    assert r.status_code == 400
    assert REFUSED in r.content.decode() and "q" in r.content.decode()


def test_nul_in_a_page_form_is_refused_and_nothing_saved(county):
    org = Organisation.objects.filter(region__path__startswith=county.west_region.path).first()
    before_events, before_name = AuditEvent.objects.count(), org.name
    r = login("huangyuan").post(f"/organisations/{org.pk}/edit/", {
        "name": "坏\x00名", "kind": org.kind, "region": org.region_id, "loaded_version": org.version})
    assert r.status_code == 400
    html = r.content.decode()
    assert REFUSED in html and "“name”" in html
    org.refresh_from_db()
    assert org.name == before_name and AuditEvent.objects.count() == before_events


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_in_an_api_body_are_refused(char, county):
    client = token_client("huangyuan")
    before = AuditEvent.objects.count()
    r = client.post(f"/api/v1/pairings/{county.pk}/consumption/suppliers",
                    json.dumps({"contact": f"联系人{char}", "organisation": 1}), content_type="application/json")
    assert r.status_code == 400, r.content
    body = r.json()
    assert REFUSED in body["detail"] and "“contact”" in body["detail"]
    assert AuditEvent.objects.count() == before


def test_nul_in_an_api_query_and_a_nested_body_is_refused(county):
    c = token_client("huangyuan")
    r = c.get(f"/api/v1/labour/pairings/{county.pk}/people?q=%00")
    assert r.status_code == 400 and "“q”" in r.json()["detail"]
    r = c.post(f"/api/v1/labour/pairings/{county.pk}/people", json.dumps({"officials": [{"name": "\x00"}]}),
               content_type="application/json")
    assert r.status_code == 400 and "officials[0].name" in r.json()["detail"]


def test_tab_and_newlines_stay_allowed(county):
    # Multi-line text (notes, purposes) carries them: the guard lets them pass.
    r = login("huangyuan").get(f"/pairings/{county.pk}/labour/people/?q=a%09b%0D%0Ac")
    assert r.status_code == 200


# -- versions required -------------------------------------------------------

VERSION_MISSING = "缺少所读取的版本号"


def _west_org(county):
    return Organisation.objects.filter(region__path__startswith=county.west_region.path).first()


@pytest.mark.parametrize("version", [None, ""])
def test_an_edit_without_the_version_read_is_refused(version, county):
    org = _west_org(county)
    before = (org.name, org.version, AuditEvent.objects.count())
    data = {"name": "改过的名称", "kind": org.kind, "region": org.region_id}
    if version is not None:
        data["loaded_version"] = version
    r = login("huangyuan").post(f"/organisations/{org.pk}/edit/", data)
    assert r.status_code == 200 and VERSION_MISSING in r.content.decode()
    org.refresh_from_db()
    assert (org.name, org.version, AuditEvent.objects.count()) == before


def test_the_same_edit_with_its_version_is_saved(county):
    org = _west_org(county)
    r = login("huangyuan").post(f"/organisations/{org.pk}/edit/", {
        "name": "改过的名称", "kind": org.kind, "region": org.region_id, "loaded_version": org.version})
    assert r.status_code == 302
    org.refresh_from_db()
    assert org.name == "改过的名称"


def test_a_new_record_needs_no_version(county):
    r = login("huangyuan").post("/organisations/new/", {
        "name": "新建单位（示例）", "kind": "enterprise", "region": county.west_region_id})
    assert r.status_code == 302
    assert Organisation.objects.filter(name="新建单位（示例）").exists()


def test_a_disbursement_edit_without_its_version_is_refused(county):
    from xiezuo.funds.models import Disbursement

    d = Disbursement.objects.filter(project__pairing=county).exclude(status=Disbursement.CONFIRMED).first()
    before = (d.amount, d.version)
    r = login("huangyuan").post(f"/disbursements/{d.pk}/edit/", {
        "date": d.date.isoformat(), "amount": "1.00", "voucher_number": d.voucher_number, "purpose": d.purpose})
    assert r.status_code == 200 and VERSION_MISSING in r.content.decode()
    d.refresh_from_db()
    assert (d.amount, d.version) == before


def test_api_put_without_if_match_is_428(county):
    org = _west_org(county)
    r = token_client("huangyuan").put(f"/api/v1/organisations/{org.pk}", json.dumps(
        {"name": "改过的名称", "kind": org.kind, "region": org.region_id}), content_type="application/json")
    assert r.status_code == 428 and "If-Match" in r.json()["detail"]
    org.refresh_from_db()
    assert org.name != "改过的名称"


def test_save_versioned_refuses_a_missing_version(county):
    from django.core.exceptions import ValidationError

    from xiezuo.front.forms import save_versioned

    org = _west_org(county)
    org.name = "改过的名称"
    with pytest.raises(ValidationError):
        save_versioned(org, None)
    org.refresh_from_db()
    assert org.name != "改过的名称"


def test_nul_in_an_api_body_sent_as_plain_text_is_refused_too(county):
    r = token_client("huangyuan").post(f"/api/v1/pairings/{county.pk}/consumption/suppliers",
                                       json.dumps({"contact": "\x00"}), content_type="text/plain")
    assert r.status_code == 400 and "“contact”" in r.json()["detail"]


@pytest.mark.parametrize("query,words", [
    ("fund-receipts?kind=zz", "参数“kind”应为以下值之一"),
    ("fund-receipts?year=10045865", "年度应在2000至2100之间"),
    ("projects?page=0", "参数“page”不能小于1"),
    ("projects?township=abc", "参数“township”应为整数"),
])
def test_api_parameters_outside_the_schema_are_422_in_chinese(query, words, county):
    r = token_client("huangyuan").get(f"/api/v1/pairings/{county.pk}/{query}")
    assert r.status_code == 422 and words in r.json()["detail"], r.content.decode()
