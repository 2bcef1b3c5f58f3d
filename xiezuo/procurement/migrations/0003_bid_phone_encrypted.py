"""Bidders' contact phones: stored encrypted, found by a keyed hash, shown masked.

The plain `contact_phone` column is read once here: each number is brought
to the one normal form (`lib.pii.normalize_phone`; a value it refuses is
kept as written, spaces and dashes dropped, rather than lost), encrypted,
hashed and masked, and then the column is dropped. Findings of the collusion
rule were keyed by an unkeyed SHA-256 prefix of the number; they are re-keyed
to the keyed hash so their review status carries over and no trace of the
number is left.
"""

import hashlib

from django.db import migrations, models

from lib import pii
from lib.ids import mask_phone

PURPOSE = "bid_contact_phone"  # Bid.PII_PHONE


def _digest(value):
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def encrypt_phones(apps, schema_editor):
    Bid = apps.get_model("procurement", "Bid")
    Finding = apps.get_model("procurement", "Finding")
    rekeyed = {}
    for bid in Bid.objects.exclude(contact_phone="").iterator():
        old = bid.contact_phone
        try:
            phone = pii.normalize_phone(old)
        except ValueError:
            phone = old.replace(" ", "").replace("-", "")
        bid.contact_phone_enc = pii.encrypt(phone, PURPOSE)
        bid.contact_phone_hash = pii.search_hash(phone, PURPOSE)
        bid.contact_phone_masked = mask_phone(phone)
        bid.save(update_fields=["contact_phone_enc", "contact_phone_hash", "contact_phone_masked"])
        rekeyed[(bid.tender_id, f"contact_phone:{_digest(old)}")] = f"contact_phone:{_digest(bid.contact_phone_hash)}"
    for (tender_id, old_key), new_key in rekeyed.items():
        Finding.objects.filter(tender_id=tender_id, rule_code="DEEMED_COLLUSION", key=old_key).update(key=new_key)


class Migration(migrations.Migration):
    dependencies = [("procurement", "0002_seed_national_rules")]

    operations = [
        migrations.AddField("bid", "contact_phone_enc", models.TextField(blank=True, editable=False)),
        migrations.AddField("bid", "contact_phone_hash",
                            models.CharField(blank=True, editable=False, max_length=64, null=True)),
        migrations.AddField("bid", "contact_phone_masked",
                            models.CharField(blank=True, editable=False, max_length=20, verbose_name="联系电话")),
        migrations.RunPython(encrypt_phones, migrations.RunPython.noop),
        migrations.RemoveField("bid", "contact_phone"),
    ]
