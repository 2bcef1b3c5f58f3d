"""Bidders' bond accounts (投标保证金转出账户): stored encrypted, found by a keyed
hash, shown masked, as the contact phone is (0003).

The plain `bond_account` column is read once here: each account is brought
to the one normal form (`lib.ids.normalize_account`; a value it refuses is
kept as written, spaces and dashes dropped, rather than lost), encrypted,
hashed and masked, and then the column is dropped. Findings of the collusion
rule were keyed by an unkeyed SHA-256 prefix of the account and named it in
their explanation and figures: they are re-keyed to the keyed hash (so their
review status carries over) and show the masked account, so no trace of the
number is left in them.
"""

import hashlib

from django.db import migrations, models

from lib import pii
from lib.ids import mask_account, normalize_account

PURPOSE = "bid_bond_account"  # Bid.PII_ACCOUNT


def _digest(value):
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def encrypt_accounts(apps, schema_editor):
    Bid = apps.get_model("procurement", "Bid")
    Finding = apps.get_model("procurement", "Finding")
    rekeyed = {}
    for bid in Bid.objects.exclude(bond_account="").iterator():
        # What the rule compared (and keyed the finding by): the stored text, stripped.
        old = bid.bond_account.strip()
        if not old:
            continue
        try:
            account = normalize_account(old)
        except ValueError:
            account = "".join(old.split()).replace("-", "")
        bid.bond_account_enc = pii.encrypt(account, PURPOSE)
        bid.bond_account_hash = pii.search_hash(account, PURPOSE)
        bid.bond_account_masked = mask_account(account)
        bid.save(update_fields=["bond_account_enc", "bond_account_hash", "bond_account_masked"])
        rekeyed[(bid.tender_id, f"bond_account:{_digest(old)}")] = (
            f"bond_account:{_digest(bid.bond_account_hash)}", old, bid.bond_account_masked)
    for (tender_id, old_key), (new_key, old, masked) in rekeyed.items():
        for finding in Finding.objects.filter(tender_id=tender_id, rule_code="DEEMED_COLLUSION", key=old_key):
            figures = dict(finding.figures or {})
            if figures.get("value"):
                figures["value"] = masked
            key, active = new_key, finding.active
            if Finding.objects.filter(tender_id=tender_id, rule_code="DEEMED_COLLUSION", key=new_key).exists():
                # Two spellings of one account (with and without dashes) had a
                # finding each; the one re-keyed first takes the key, this one
                # is kept (with its review) as no longer in force.
                key, active = f"{new_key}~{finding.pk}", False
            Finding.objects.filter(pk=finding.pk).update(
                key=key, active=active, explanation=finding.explanation.replace(f"（{old}）", f"（{masked}）"),
                figures=figures)


class Migration(migrations.Migration):
    dependencies = [("procurement", "0005_bid_unique_supplier")]

    operations = [
        migrations.AddField("bid", "bond_account_enc", models.TextField(blank=True, editable=False)),
        migrations.AddField("bid", "bond_account_hash",
                            models.CharField(blank=True, editable=False, max_length=64, null=True)),
        migrations.AddField("bid", "bond_account_masked",
                            models.CharField(blank=True, editable=False, max_length=40,
                                             verbose_name="投标保证金转出账户")),
        migrations.RunPython(encrypt_accounts, migrations.RunPython.noop),
        migrations.RemoveField("bid", "bond_account"),
    ]
