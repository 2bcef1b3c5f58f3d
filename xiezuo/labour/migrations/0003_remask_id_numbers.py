"""Re-mask stored 身份证号 as first four + ten stars + last four.

The old mask kept the six-digit region code and hid exactly the birth date,
which was shown beside it. The new mask is made from the old one (its first
four and last four characters), so no key is needed to decrypt anything.
"""

from django.db import migrations


def remask(apps, schema_editor):
    Person = apps.get_model("labour", "Person")
    changed = []
    for person in Person.objects.exclude(id_number_masked="").only("pk", "id_number_masked").iterator():
        old = person.id_number_masked
        new = old[:4] + "*" * (len(old) - 8) + old[-4:]
        if new != old:
            person.id_number_masked = new
            changed.append(person)
    Person.objects.bulk_update(changed, ["id_number_masked"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("labour", "0002_alter_laboursettings_long_term_months")]

    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
