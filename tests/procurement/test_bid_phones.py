"""Bidders' contact phones are stored like people's phones: encrypted, found
by a keyed hash, shown masked, checked by the one phone rule
(`lib.pii.normalize_phone`); the migration encrypts what was stored in clear."""

import pytest
from django.db import connection
from django.urls import reverse

from lib import pii
from xiezuo.labour.models import Person
from xiezuo.procurement.models import Bid, Finding

from ..file_database import run_on_file_database

from ..checklist import login
from .conftest import bid, wan

pytestmark = pytest.mark.django_db
PHONE = "13912340000"


def test_the_phone_is_stored_encrypted_and_found_by_its_keyed_hash(make_tender):
    b = bid(make_tender(), wan(280), contact_phone=f"+86 {PHONE}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM procurement_bid WHERE id = %s", [b.pk])
        row = [str(v) for v in cursor.fetchone()]
    assert not any(PHONE in v for v in row)
    b.refresh_from_db()
    assert b.contact_phone_enc.startswith(pii.PREFIX) and b.contact_phone == PHONE
    assert b.contact_phone_masked == "139****0000"
    assert b.contact_phone_hash == pii.search_hash(PHONE, Bid.PII_PHONE) == Bid.phone_hash(PHONE)
    # A bidder's phone cannot be matched against a person's phone hash.
    assert b.contact_phone_hash != pii.search_hash(PHONE, Person.PII_PHONE)


@pytest.mark.parametrize("typed, stored", [("139 1234 0000", PHONE), ("０９７１－６１２３４５６", "0971-6123456"),
                                           ("(010) 81234567", "010-81234567")])
def test_one_phone_rule_for_bids_and_people(make_tender, county, typed, stored):
    b = Bid(tender=make_tender(), supplier_name="甲", price=wan(1), contact_phone=typed)
    person = Person(pairing=county, name="乙")
    person.set_phone(typed)
    assert b.contact_phone == stored == person.reveal_phone()


def test_the_bid_form_refuses_what_the_phone_rule_refuses(make_tender):
    tender = make_tender()
    url = reverse("procurement_bid_create", args=[tender.pk])
    r = login("liuhe").post(url, {"supplier_name": "第四家（示例）", "price": "300万", "valid": "on",
                                  "contact_phone": "1234567"})
    assert r.status_code == 200 and pii.PHONE_MESSAGE in r.content.decode()
    assert not tender.bids.filter(supplier_name="第四家（示例）").exists()


def test_pages_show_the_masked_number_only(make_tender):
    tender = make_tender()
    bid(tender, wan(280), contact_phone=PHONE)
    page = login("huangyuan").get(reverse("procurement_tender", args=[tender.pk])).content.decode()
    assert "139****0000" in page and PHONE not in page


def test_collusion_compares_hashes_and_keeps_no_trace_of_the_number(make_tender):
    tender = make_tender()
    bid(tender, wan(280), contact_phone=PHONE)
    bid(tender, wan(285), contact_phone="139-1234-0000")
    finding = Finding.objects.get(tender=tender, rule_code="DEEMED_COLLUSION")
    assert "139****0000" in finding.explanation
    import hashlib

    unkeyed = hashlib.sha256(PHONE.encode()).hexdigest()[:16]
    assert PHONE not in finding.explanation + str(finding.figures) + finding.key and unkeyed not in finding.key


def test_the_migration_encrypts_stored_phones_and_rekeys_findings(tmp_path):
    """On a file database in a separate process: the demo migrated back to
    before the change, two bids given plain phones and a finding keyed the old
    way, migrated on; then the bytes of the file are read."""
    data, _ = run_on_file_database("""
        import hashlib
        from django.core.management import call_command
        from django.db import connection
        call_command("migrate", verbosity=0)
        call_command("load_demo", verbosity=0)
        # Back to before the change: the demo's tenders and bids stay, the phone column is back (empty).
        call_command("migrate", "procurement", "0002", verbosity=0)
        old_key = "contact_phone:" + hashlib.sha256(b"13912340000").hexdigest()[:16]
        with connection.cursor() as c:
            c.execute("SELECT id, tender_id FROM procurement_bid ORDER BY id LIMIT 2")
            (one, tender), (two, _) = c.fetchall()
            c.execute("UPDATE procurement_bid SET contact_phone = '' ")
            c.execute("UPDATE procurement_bid SET contact_phone = '13912340000' WHERE id = %s", [one])
            c.execute("UPDATE procurement_bid SET contact_phone = '0971 6123456' WHERE id = %s", [two])
            c.execute("SELECT * FROM procurement_finding LIMIT 1")
            columns = [d[0] for d in c.description]
            row = dict(zip(columns, c.fetchone()))
            row.update(id=None, tender_id=tender, rule_code="DEEMED_COLLUSION", key=old_key)
            del row["id"]
            c.execute(f"INSERT INTO procurement_finding ({', '.join(row)}) VALUES ({', '.join(['%s'] * len(row))})",
                      list(row.values()))
        call_command("migrate", "procurement", verbosity=0)
        from xiezuo.procurement.models import Bid, Finding
        first, second = Bid.objects.get(pk=one), Bid.objects.get(pk=two)
        assert (first.contact_phone, first.contact_phone_masked) == ("13912340000", "139****0000")
        assert second.contact_phone == "0971-6123456"
        assert not Bid.objects.exclude(pk__in=[one, two]).exclude(contact_phone_enc="").exists()
        assert Finding.objects.get(tender_id=tender, rule_code="DEEMED_COLLUSION").key == (
            "contact_phone:" + hashlib.sha256(Bid.phone_hash("13912340000").encode()).hexdigest()[:16])
        with connection.cursor() as c:
            c.execute("PRAGMA table_info(procurement_bid)")
            assert "contact_phone" not in [r[1] for r in c.fetchall()]
            c.execute("VACUUM")
        connection.close()
        print("done")
    """, tmp_path, "migration-test-key-" + "k" * 40)
    assert b"13912340000" not in data and b"6123456" not in data
