from django.db import migrations

# Defaults an office starts from; an administrator changes N and the severity
# on the rules page.
RULES = [
    ("no_disbursement", "warning", 90),
    ("overdue_finish", "danger", 0),
    ("no_update", "info", 60),
    ("disbursed_after_acceptance", "danger", 0),
]


def seed(apps, schema_editor):
    HealthRule = apps.get_model("funds", "HealthRule")
    for code, severity, days in RULES:
        HealthRule.objects.get_or_create(code=code, defaults={"severity": severity, "days": days})


class Migration(migrations.Migration):
    dependencies = [("funds", "0003_lifecycle_disbursements_health")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
