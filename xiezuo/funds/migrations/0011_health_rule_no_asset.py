from django.db import migrations, models

# The rule an office starts from: a handed-over project without an asset is
# flagged at once (N = 0 days), as a serious problem.
RULES = [("handed_over_without_asset", "danger", 0)]


def seed(apps, schema_editor):
    HealthRule = apps.get_model("funds", "HealthRule")
    for code, severity, days in RULES:
        HealthRule.objects.get_or_create(code=code, defaults={"severity": severity, "days": days})


class Migration(migrations.Migration):
    dependencies = [("funds", "0010_project_library_entry")]
    operations = [
        migrations.AlterField(
            model_name="healthrule", name="code",
            field=models.CharField(choices=[
                ("no_disbursement", "开工N天后仍无资金拨付"), ("overdue_finish", "超过计划完工日期N天仍未完工"),
                ("no_update", "N天未更新进展"), ("disbursed_after_acceptance", "验收N天后仍有拨付"),
                ("handed_over_without_asset", "资产移交N天后仍未登记资产")],
                max_length=40, unique=True, verbose_name="规则"),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
