"""An authorization walk over every URL pattern and API route.

For every page and endpoint, with ids of records that belong to the demo
county pair, it checks: anonymous users are sent to the login page (401 on
the API); a user of another pairing — of another tree, and of a sibling
township pair in the same tree — gets 404/403 for every record and never
sees the county's data on a list; a user of the parent pairing reaches the
records of its child pairings; no role ever gets a server error (each role
opens every page in tests/test_chinese_ui.py); and the
read-only roles (leader, auditor) change nothing with any POST — measured by
the audit trail, which every change to domain data extends.
New modules are covered as soon as their URLs exist: a URL parameter the walk
cannot fill makes it fail until it is taught here.
"""

import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from xiezuo.accounts.models import APIToken, User
from xiezuo.api import api
from xiezuo.audit.models import AuditEvent
from xiezuo.pairings.models import Pairing

from .checklist import login, token_client

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("django-admin/", "i18n/", "api/", "static/", "media/")
# Pages anyone may open: the login page and the public disclosure (公告公示).
PUBLIC_NAMES = {"login", "logout"}
PUBLIC_PREFIXES = ("public/", "disclosure/", "gongshi/")
# Values for parameters that are not record ids.
FIXED = {"year": 2022, "ledger": "funds", "kind": "ledger", "fmt": "xlsx", "format": "xlsx", "section": "funds", "level": "county",
         "side": "west"}
ALIASES = {"org": "organisation", "tender": "tender", "person": "person"}
ROLES = ["liuhe", "huangyuan", "yiyuan", "lingdao", "shenji", "admin"]
# Users who must reach no record of the county pair or of its other sub-pairings.
STRANGERS = ["outsider", "sibling"]
# Accounts belong to the county through their roles on it.
THROUGH_ROLES = {"user": "memberships__pairing__in", "apitoken": "user__memberships__pairing__in"}
# The page walks are cut into shards, each a test of its own, so that the
# suite's workers (`make test` runs pytest on both cores) share them.
SHARDS = 8


def add_walked_records(county, settings, tmp_path):
    """Records of the county the demo has none of, so that their pages are
    walked too: a county user's API token, a download and a 简报 draft."""
    from xiezuo.crosscheck.views import create_briefing
    from xiezuo.downloads import services

    APIToken.issue(User.objects.get(username="yiyuan"), name="walk")
    settings.MEDIA_ROOT = tmp_path / "media"
    services.start(county, User.objects.get(username="liuhe"), "ledger", ledger="funds")
    create_briefing(county, User.objects.get(username="liuhe"),
                    {"period": "quarter", "year": 2022, "number": 1, "issue_no": None, "issuer": ""})


@pytest.fixture(autouse=True)
def walked_records(county, settings, tmp_path):
    add_walked_records(county, settings, tmp_path)


def walk(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.name


def find_model(param):
    base = param[:-3] if param.endswith("_id") else param
    base = ALIASES.get(base, base).replace("_", "")
    ours = [m for m in apps.get_models()
            if m.__module__.startswith("xiezuo.") and m._meta.app_label != "audit"]
    exact = [m for m in ours if m._meta.model_name == base]
    # "receipt_id" means FundReceipt when no model is called just Receipt.
    suffix = [m for m in ours if m._meta.model_name.endswith(base)]
    found = exact or suffix
    return found[0] if len(found) == 1 else None


def sibling_ids():
    own = Pairing.objects.get(memberships__user__username="sibling")
    return set(Pairing.objects.filter(path__startswith=own.path).values_list("pk", flat=True))


def county_record(model, county, children_only=False):
    """Return a record of the county's tree (outside the sibling user's own
    pair), or of its child pairings only."""
    ids = set(Pairing.objects.filter(path__startswith=county.path).values_list("pk", flat=True)) - sibling_ids()
    if children_only:
        ids.discard(county.pk)
    fields = {f.name for f in model._meta.get_fields()}
    qs = model._default_manager.all()
    if model is Pairing:
        return county if not children_only else Pairing.objects.filter(pk__in=ids).order_by("pk").first()
    if model._meta.model_name in THROUGH_ROLES:
        qs = qs.filter(**{THROUGH_ROLES[model._meta.model_name]: ids}).distinct()
    elif "pairing" in fields:
        qs = qs.filter(pairing__in=ids)
    elif model._meta.model_name == "organisation":
        qs = qs.filter(name="湟源县人民医院")
    else:
        # A child record: follow the first FK to a model that has a pairing.
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model and "pairing" in {x.name for x in f.related_model._meta.get_fields()}:
                qs = qs.filter(**{f"{f.name}__pairing__in": ids})
                break
    return qs.order_by("pk").first()


def fill(route, county, children_only=False):
    """Return the URL with every parameter filled, or raise naming the gap."""
    params = re.findall(r"<(?:\w+:)?(\w+)>", route)
    url = route
    for param in params:
        if param in FIXED:
            value = FIXED[param]
        else:
            model = find_model(param)
            if model is None:
                raise LookupError(f"the walk cannot fill <{param}> in {route}")
            record = county_record(model, county, children_only)
            if record is None:
                return None  # no demo record of that kind yet: nothing to leak
            value = record.pk
        url = re.sub(rf"<(?:\w+:)?{param}>", str(value), url, count=1)
    return "/" + url.lstrip("^").rstrip("$")


def markers(county):
    return [str(county), "湟源县人民医院"]


def pages(county):
    out = []
    for route, name in walk():
        if route.startswith(SKIP_PREFIXES) or name in PUBLIC_NAMES:
            continue
        url = fill(route, county)
        if url is not None:
            out.append((url, name, "<" in route))
    return out


def is_public(url):
    return url.lstrip("/").startswith(PUBLIC_PREFIXES)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_page_is_scoped(shard, county):
    # One logged-in client per user for the reads; every POST comes from a
    # fresh login, so that nothing a POST does to a session reaches a read.
    clients = {user: login(user) for user in [None, *STRANGERS]}
    checked = 0
    for url, name, has_record in pages(county)[shard::SHARDS]:
        if is_public(url):
            continue
        anon = clients[None].get(url)
        assert anon.status_code == 302 and "/login/" in anon["Location"], (url, anon.status_code)
        for stranger in STRANGERS:
            r = clients[stranger].get(url)
            assert r.status_code < 500, (url, r.status_code)
            if has_record:
                # 405: a POST-only view answers GET the same for every record.
                assert r.status_code in (403, 404, 405), (url, stranger, "reached a county record", r.status_code)
                before = AuditEvent.objects.count()
                r = login(stranger).post(url, {"name": "x", "status": "completed", "amount": "1"})
                assert r.status_code in (403, 404, 405), (url, stranger, "posted to a county record", r.status_code)
                assert AuditEvent.objects.count() == before, (url, stranger, "changed county data")
            elif r.status_code == 200:
                html = r.content.decode()
                leaked = [m for m in markers(county) if m in html]
                assert not leaked, (url, stranger, "sees", leaked)
        # Every role on every page without a server error: the walk of
        # tests/test_chinese_ui.py opens them all already.
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize("shard", range(SHARDS))
def test_read_only_roles_change_nothing_anywhere(shard, county):
    for url, name, _ in pages(county)[shard::SHARDS]:
        if name in ("logout",):
            continue
        for role in ("lingdao", "shenji"):
            before = AuditEvent.objects.count()
            r = login(role).post(url, {"name": "x", "year": 2030, "status": "completed", "amount": "1"})
            assert r.status_code < 500, (url, role, r.status_code)
            assert AuditEvent.objects.count() == before, (url, role, "a read-only role changed data")


def api_routes(county):
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method in operations:
            route = path.replace("/api/v1/", "api/v1/", 1)
            url = fill(re.sub(r"\{(\w+)\}", r"<\1>", route), county)
            if url is not None:
                yield method, url, "{" in path


def test_every_api_route_is_scoped(county):
    routes = list(api_routes(county))
    clients = {role: token_client(role) for role in [None, *STRANGERS, *ROLES]}
    assert len(routes) >= 8
    for method, url, has_record in routes:
        query = "?year=2022" if method == "get" else ""
        call = lambda c: getattr(c, method)(url + query, {} if method == "get" else "{}",  # noqa: E731
                                            **({} if method == "get" else {"content_type": "application/json"}))
        assert call(clients[None]).status_code == 401, (method, url)
        for stranger in STRANGERS:
            before = AuditEvent.objects.count()
            r = call(clients[stranger])
            assert r.status_code < 500, (method, url, r.status_code)
            if has_record:
                assert r.status_code in (403, 404, 422), (method, url, stranger, "reached a county record",
                                                          r.status_code)
            elif r.status_code == 200:
                leaked = [m for m in markers(county) if m in r.content.decode()]
                assert not leaked, (method, url, stranger, leaked)
            assert AuditEvent.objects.count() == before, (method, url, stranger, "changed county data")
        for role in ROLES:
            before = AuditEvent.objects.count()
            r = call(clients[role])
            assert r.status_code < 500, (method, url, role, r.status_code)
            if role in ("lingdao", "shenji"):
                assert AuditEvent.objects.count() == before, (method, url, role, "a read-only role changed data")


def test_the_parent_pairing_reaches_the_records_of_its_child_pairings(county):
    """A county-pair user reads what its township, school and hospital pairs
    record: a scope check that compares pairings for equality instead of
    following the tree would answer 404 here."""
    checked = 0
    for route, name in walk():
        if route.startswith(SKIP_PREFIXES) or name in PUBLIC_NAMES or "<" not in route:
            continue
        url = fill(route, county, children_only=True)
        if url is None or is_public(url):
            continue
        r = login("huangyuan").get(url)
        if r.status_code == 404:
            # Data the page needs may not exist for the child (a year's report):
            # then the administrator finds nothing either.
            assert login("admin").get(url).status_code == 404, (url, "parent pairing refused")
            continue
        # 405: POST-only; 403: a step only the east office may take.
        assert r.status_code in (200, 302, 403, 405), (url, "parent pairing refused", r.status_code)
        checked += r.status_code == 200
    assert checked >= 5
