"""Bidders' bond accounts (投标保证金转出账户, often a person's own bank
account) are stored like their contact phones: encrypted, found by a keyed
hash, shown masked, checked by one rule (`lib.ids.normalize_account`); the
migration encrypts what was stored in clear and re-keys the findings."""

import hashlib

import pytest
from django.db import connection
from django.urls import reverse

from lib import pii
from lib.ids import ACCOUNT_MESSAGE
from xiezuo.audit.models import AuditEvent
from xiezuo.procurement.models import Bid, Finding

from ..checklist import login
from ..file_database import run_on_file_database
from .conftest import bid, wan

pytestmark = pytest.mark.django_db
ACCOUNT = "6222020200112233"
MASKED = "6222********2233"


def test_the_account_is_stored_encrypted_and_found_by_its_keyed_hash(make_tender):
    b = bid(make_tender(), wan(280), bond_account="6222 0202-0011 2233")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM procurement_bid WHERE id = %s", [b.pk])
        row = [str(v) for v in cursor.fetchone()]
    assert not any(ACCOUNT in v or "2233" in v.replace(MASKED, "") for v in row)
    b.refresh_from_db()
    assert b.bond_account_enc.startswith(pii.PREFIX) and b.bond_account == ACCOUNT
    assert b.bond_account_masked == MASKED
    assert b.bond_account_hash == pii.search_hash(ACCOUNT, Bid.PII_ACCOUNT) == Bid.account_hash(f" {ACCOUNT} ")
    # An account's hash is not a phone's hash of the same digits.
    assert b.bond_account_hash != pii.search_hash(ACCOUNT, Bid.PII_PHONE)


def test_the_same_account_again_keeps_the_ciphertext_and_blank_clears_it(make_tender):
    b = bid(make_tender(), wan(280), bond_account=ACCOUNT)
    enc = b.bond_account_enc
    b.bond_account = f"{ACCOUNT[:4]} {ACCOUNT[4:]}"
    assert b.bond_account_enc == enc
    b.bond_account = "  "
    assert (b.bond_account_enc, b.bond_account_hash, b.bond_account_masked, b.bond_account) == ("", None, "", "")
    with pytest.raises(ValueError, match=ACCOUNT_MESSAGE):
        b.bond_account = "现金缴纳"


def test_the_bid_form_encrypts_the_account_shows_it_masked_and_keeps_it_unless_retyped(make_tender):
    tender = make_tender()
    create = reverse("procurement_bid_create", args=[tender.pk])
    data = {"supplier_name": "第四家（示例）", "price": "300万", "valid": "on", "bond_account": "62220"}
    r = login("liuhe").post(create, data)
    assert r.status_code == 200 and ACCOUNT_MESSAGE in r.content.decode()
    assert not tender.bids.filter(supplier_name="第四家（示例）").exists()
    r = login("liuhe").post(create, {**data, "bond_account": "6222 0202 0011 2233"})
    assert r.status_code == 302
    b = tender.bids.get(supplier_name="第四家（示例）")
    assert (b.bond_account, b.bond_account_masked) == (ACCOUNT, MASKED)

    edit = reverse("procurement_bid_edit", args=[b.pk])
    html = login("liuhe").get(edit).content.decode()
    assert ACCOUNT not in html and MASKED in html
    data = {"supplier_name": b.supplier_name, "price": "301万", "valid": "on", "loaded_version": b.version}
    assert login("liuhe").post(edit, data).status_code == 302
    b.refresh_from_db()
    assert b.price == wan(301) and b.bond_account == ACCOUNT
    assert login("liuhe").post(edit, {**data, "loaded_version": b.version,
                                      "bond_account": "6217000000000099"}).status_code == 302
    b.refresh_from_db()
    assert (b.bond_account, b.bond_account_masked) == ("6217000000000099", "6217********0099")


def test_pages_show_the_masked_account_only(make_tender):
    tender = make_tender()
    bid(tender, wan(280), bond_account=ACCOUNT)
    bid(tender, wan(285), bond_account=ACCOUNT)
    page = login("huangyuan").get(reverse("procurement_tender", args=[tender.pk])).content.decode()
    assert MASKED in page and ACCOUNT not in page
    findings = login("huangyuan").get(reverse("procurement_findings", args=[tender.pairing_id])).content.decode()
    assert ACCOUNT not in findings


def test_collusion_compares_hashes_and_keeps_no_trace_of_the_account(make_tender):
    tender = make_tender()
    bid(tender, wan(280), bond_account=ACCOUNT)
    bid(tender, wan(285), bond_account="6222-0202-0011-2233")
    finding = Finding.objects.get(tender=tender, rule_code="DEEMED_COLLUSION")
    assert MASKED in finding.explanation and finding.figures["value"] == MASKED
    unkeyed = hashlib.sha256(ACCOUNT.encode()).hexdigest()[:16]
    assert ACCOUNT not in finding.explanation + str(finding.figures) + finding.key and unkeyed not in finding.key


def test_audit_events_hold_the_masked_account_and_its_hash_only(make_tender):
    b = bid(make_tender(), wan(280), bond_account=ACCOUNT)
    b.bond_account = "6217000000000099"
    b.save()
    events = list(AuditEvent.objects.filter(model="procurement.Bid", object_id=str(b.pk)).order_by("seq"))
    assert [e.action for e in events] == ["create", "update"]
    assert events[-1].before["bond_account_masked"] == MASKED
    assert events[-1].after["bond_account_masked"] == "6217********0099"
    assert events[-1].after["bond_account_hash"] == Bid.account_hash("6217000000000099")
    for event in events:
        assert "bond_account_enc" not in (event.before or {}) and "bond_account_enc" not in event.after
        assert not any(a in str(event.before) + str(event.after) for a in (ACCOUNT, "6217000000000099"))


def test_events_written_before_the_account_was_encrypted_are_masked_when_shown():
    # Such events hold the account in clear (as a field of the bid, and in a
    # collusion finding's text and figures); they cannot be rewritten.
    bid_event = AuditEvent(model="procurement.Bid", before={"bond_account": ACCOUNT},
                           after={"bond_account": "6217000000000099"})
    assert bid_event.changed_fields() == [("bond_account", MASKED, "6217********0099")]
    text = f"投标人甲、乙的投标保证金转出账户相同（{ACCOUNT}）。"
    finding_event = AuditEvent(model="procurement.Finding", before=None, after={
        "explanation": text, "figures": {"field": "bond_account", "value": ACCOUNT, "bidders": ["甲", "乙"]}})
    assert finding_event.changed_fields() == [
        ("explanation", None, f"投标人甲、乙的投标保证金转出账户相同（{MASKED}）。"),
        ("figures", None, {"field": "bond_account", "value": MASKED, "bidders": ["甲", "乙"]})]
    # Other findings are shown as written.
    other = AuditEvent(model="procurement.Finding", after={"explanation": "项目经理相同（王五）。",
                                                          "figures": {"field": "project_manager", "value": "王五"}})
    assert other.changed_fields() == [("explanation", None, "项目经理相同（王五）。"),
                                      ("figures", None, {"field": "project_manager", "value": "王五"})]


def test_the_migration_encrypts_stored_accounts_and_rekeys_findings(tmp_path):
    """On a file database in a separate process: the demo migrated back to
    before the change, bids given plain accounts and a finding keyed and
    worded the old way, migrated on; then the bytes of the file are read."""
    data, _ = run_on_file_database("""
        import hashlib, json
        from django.core.management import call_command
        from django.db import connection
        call_command("migrate", verbosity=0)
        call_command("load_demo", verbosity=0)
        # Back to before the change: the demo's tenders and bids stay, the account column is back (empty).
        call_command("migrate", "procurement", "0005", verbosity=0)
        old_key = "bond_account:" + hashlib.sha256(b"6222020200112233").hexdigest()[:16]
        with connection.cursor() as c:
            c.execute("SELECT id, tender_id FROM procurement_bid ORDER BY id LIMIT 3")
            (one, tender), (two, _), (three, _) = c.fetchall()
            c.execute("UPDATE procurement_bid SET bond_account = '' ")
            c.execute("UPDATE procurement_bid SET bond_account = '6222020200112233' WHERE id IN (%s, %s)", [one, two])
            c.execute("UPDATE procurement_bid SET bond_account = 'ACC-77 12' WHERE id = %s", [three])
            c.execute("DELETE FROM procurement_finding WHERE tender_id = %s AND rule_code = 'DEEMED_COLLUSION'",
                      [tender])
            c.execute("SELECT * FROM procurement_finding LIMIT 1")
            columns = [d[0] for d in c.description]
            row = dict(zip(columns, c.fetchone()))
            figures = {"field": "bond_account", "field_name": "投标保证金转出账户", "value": "6222020200112233",
                       "bidders": ["甲", "乙"]}
            row.update(tender_id=tender, rule_code="DEEMED_COLLUSION", key=old_key, review_status="explained",
                       explanation="投标人甲、乙的投标保证金转出账户相同（6222020200112233）。",
                       figures=json.dumps(figures, ensure_ascii=False))
            del row["id"]
            c.execute(f"INSERT INTO procurement_finding ({', '.join(row)}) VALUES ({', '.join(['%s'] * len(row))})",
                      list(row.values()))
        call_command("migrate", "procurement", verbosity=0)
        from xiezuo.procurement.models import Bid, Finding
        first, second, third = (Bid.objects.get(pk=pk) for pk in (one, two, three))
        assert (first.bond_account, first.bond_account_masked) == ("6222020200112233", "6222********2233")
        assert second.bond_account_hash == first.bond_account_hash == Bid.account_hash("6222020200112233")
        # A value the account rule refuses is kept as written, spaces and dashes dropped.
        assert (third.bond_account, third.bond_account_masked) == ("ACC7712", "A*****2")
        assert not Bid.objects.exclude(pk__in=[one, two, three]).exclude(bond_account_enc="").exists()
        finding = Finding.objects.get(tender_id=tender, rule_code="DEEMED_COLLUSION")
        new_key = "bond_account:" + hashlib.sha256(Bid.account_hash("6222020200112233").encode()).hexdigest()[:16]
        assert (finding.key, finding.review_status) == (new_key, "explained")
        assert finding.explanation == "投标人甲、乙的投标保证金转出账户相同（6222********2233）。"
        assert finding.figures == {**figures, "value": "6222********2233"}
        # The rule run again finds the same finding (same key): its review carries over.
        from xiezuo.procurement import services
        services.recompute([tender])
        finding = Finding.objects.get(tender_id=tender, rule_code="DEEMED_COLLUSION", figures__field="bond_account")
        assert (finding.key, finding.review_status, finding.active) == (new_key, "explained", True)
        assert "6222********2233" in finding.explanation
        with connection.cursor() as c:
            c.execute("PRAGMA table_info(procurement_bid)")
            assert "bond_account" not in [r[1] for r in c.fetchall()]
            c.execute("VACUUM")
        connection.close()
        print("done")
    """, tmp_path, "migration-test-key-" + "k" * 40)
    assert b"6222020200112233" not in data and b"ACC-77 12" not in data and b"ACC7712" not in data
