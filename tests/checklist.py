"""The permission checklist every view and endpoint is tested against:
a user in scope allowed, a user of another pairing refused — of another tree
(`outsider`) and of a sibling township pair of the same tree (`sibling`) —,
a read-only role unable to write, anonymous redirected (pages) or 401 (API)."""

from django.test import Client

from xiezuo.accounts.models import APIToken, User


def login(username):
    c = Client()
    if username:
        c.force_login(User.objects.get(username=username))
    return c


def token_client(username):
    c = Client()
    if username:
        c.defaults["HTTP_AUTHORIZATION"] = "Bearer " + APIToken.issue(User.objects.get(username=username))
    return c


def strangers(outsider, sibling):
    """Return the users who must not reach the record: the sibling is checked
    wherever the outsider is, unless a test names its own."""
    return (outsider, ("sibling" if outsider else None) if sibling is ... else sibling)


def page_checklist(url, *, allowed="liuhe", read_only="lingdao", outsider="outsider", sibling=..., write=False,
                   data=None, refuse_read_only=False):
    """Assert the checklist for a page; return the allowed user's response.

    `refuse_read_only` is for pages that even reading needs more than
    "read" for (the account pages): the read-only role gets 403 on GET too.
    """
    method = "post" if write else "get"
    anon = getattr(Client(), method)(url, data or {})
    assert anon.status_code == 302 and "/login/" in anon["Location"], (url, anon.status_code)
    for stranger in strangers(outsider, sibling):
        if stranger:
            r = getattr(login(stranger), method)(url, data or {})
            assert r.status_code == 404, (url, stranger, r.status_code)
    if read_only:
        r = getattr(login(read_only), method)(url, data or {})
        if write or refuse_read_only:
            assert r.status_code == 403, (url, "read-only", r.status_code)
        else:
            assert r.status_code == 200, (url, "read-only", r.status_code)
    r = getattr(login(allowed), method)(url, data or {})
    assert r.status_code in (200, 302), (url, "allowed", r.status_code)
    return r


def api_checklist(url, *, allowed="liuhe", read_only="lingdao", outsider="outsider", sibling=..., method="get",
                  json=None, headers=None):
    """Assert the checklist for an endpoint; return the allowed user's response.
    `headers` go with every call (the If-Match of a state change)."""
    def call(c):
        fn = getattr(c, method)
        if json is not None:
            return fn(url, json, content_type="application/json", headers=headers)
        return fn(url, headers=headers)

    assert call(Client()).status_code == 401, url
    for stranger in strangers(outsider, sibling):
        if stranger:
            r = call(token_client(stranger))
            assert r.status_code == 404, (url, stranger, r.status_code, r.content[:200])
    if read_only:
        r = call(token_client(read_only))
        expected = 200 if method == "get" else 403
        assert r.status_code == expected, (url, "read-only", r.status_code, r.content[:200])
    return call(token_client(allowed))
