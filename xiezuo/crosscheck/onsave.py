"""口径核对 when a text is saved: the 自评报告's narratives, the project texts
of the public disclosure page (建设内容, 联农带农说明) and the 简报 draft.

Saving is never blocked: the view saves, then `check_saved` runs the check
and keeps the claims to show in the session; the page the view redirects to
takes them back (`recall`) and lists them beside the text, with the ledger's
value, the difference and links to the ledger rows. The writer decides.
"""

import datetime

from lib.dates import cn_date

from . import services

SESSION_KEY = "crosscheck_on_save"
FLAGGED = (services.INCONSISTENT, services.BOUND_BROKEN)


def flagged(claims, unknown=False):
    """The claims a writer must look at, as plain dicts (kept in the session):
    inconsistent and broken bounds; with `unknown`, the unchecked ones too."""
    verdicts = FLAGGED + ((services.UNKNOWN,) if unknown else ())
    return [{"sentence": c.sentence, "written": c.written, "claim": c.claim_text, "ledger": c.ledger_text,
             "difference": c.difference_text, "verdict": c.verdict, "reason": c.reason,
             "links": [{"year": y, "href": u} for y, u in c.links]}
            for c in claims if c.verdict in verdicts]


def year_end(year):
    """The date a year's text is read on: figures without a year are that year's."""
    return datetime.date(year, 12, 31)


def check_text(text, pairing, user, on, unknown=False):
    from xiezuo.accounts.scope import scope_for

    claims = services.check(text, pairing, scope_for(user), on)
    return {"flagged": flagged(claims, unknown), "counts": services.tally(claims), "on": cn_date(on)}


def check_saved(request, key, text, pairing, on):
    """Check a saved text and keep its flagged claims for the next page."""
    result = check_text(text, pairing, request.user, on)
    request.session[SESSION_KEY] = {"key": key, **result}
    return result


def recall(request, key):
    """The check of the text just saved under `key`, once; None otherwise."""
    data = request.session.get(SESSION_KEY)
    if not data or data.get("key") != key:
        return None
    del request.session[SESSION_KEY]
    return data
