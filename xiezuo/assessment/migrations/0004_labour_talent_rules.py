"""The labour and talent indicators counted by the report's rules.

- Talent, per direction against each side's targets: 东部选派到西部 is the
  eastern side's indicator, 西部选派到东部 the western side's; each counts the
  people in post (在岗) with those newly arrived (当年新到岗) beside them.
  Agreement targets name them by these codes.
- `cadres` and `professionals` now count the people in post; their
  disaggregations gain 当年新到岗.
- `labour`: the destinations are the report's (赴对口省份, 省外其他地区,
  省内县外, 县内) and new placements (新增) are told from jobs kept (稳岗).
  A line naming the retired `labour.employed_east` is rewritten to the paired
  province, the nearest of the new categories; a catalogue text left as it
  was seeded is replaced whole; lines an office added are kept.
- The figures cache is emptied: the sections' keys changed.
"""

from django.db import migrations

INDICATORS = [
    # code, name, unit, side, computation, disaggregations, order
    ("cadres_e2w", "东部选派到西部挂职的党政干部（在岗）", "人", "east", "talent.cadres_e2w",
     "其中当年新到岗=talent.cadres_arrived_e2w", 31),
    ("cadres_w2e", "西部选派到东部挂职的党政干部（在岗）", "人", "west", "talent.cadres_w2e",
     "其中当年新到岗=talent.cadres_arrived_w2e", 32),
    ("professionals_e2w", "东部选派到西部的专业技术人才（在岗）", "人", "east", "talent.professionals_e2w",
     "其中当年新到岗=talent.professionals_arrived_e2w", 41),
    ("professionals_w2e", "西部选派到东部的专业技术人才（在岗）", "人", "west", "talent.professionals_w2e",
     "其中当年新到岗=talent.professionals_arrived_w2e", 42),
]

OLD_LABOUR = ("其中脱贫劳动力=labour.employed_poverty\n到东部就业=labour.employed_east\n"
              "省内及就地就近就业=labour_local\n稳定就业=labour.employed_stable")
NEW_LABOUR = ("其中脱贫劳动力=labour.employed_poverty\n新增就业=labour.employed_new\n"
              "稳岗就业=labour.employed_kept\n赴对口省份就业=labour.by_destination.paired_province\n"
              "省外其他地区就业=labour.by_destination.other_province\n"
              "省内县外就业=labour.by_destination.in_province\n县内就业=labour.by_destination.in_county\n"
              "稳定就业=labour.employed_stable")
OLD_PROFESSIONALS = "其中“三支”人才（人次）=talent.sanzhi_person_times"
NEW_PROFESSIONALS = OLD_PROFESSIONALS + "\n其中当年新到岗=talent.professionals_arrived"
NEW_CADRES = "其中当年新到岗=talent.cadres_arrived"
RETIRED = {"labour.employed_east": "赴对口省份就业=labour.by_destination.paired_province"}


def rewrite(text):
    """Rewrite lines naming a retired computation; keep the others."""
    lines = []
    for line in text.splitlines():
        key = line.split("=", 1)[1].strip() if "=" in line else ""
        lines.append(RETIRED.get(key, line))
    return "\n".join(lines)


def upgrade(Indicator):
    """Bring a catalogue to these rules: add the per-direction indicators and
    update the seeded texts (used by the migration and by the demo, which
    seeds a flushed database the same way)."""
    for code, name, unit, side, computation, dis, order in INDICATORS:
        Indicator.objects.get_or_create(code=code, defaults={
            "name": name, "unit": unit, "side": side, "computation": computation, "disaggregations": dis,
            "order": order})
    seeded = {"labour": (OLD_LABOUR, NEW_LABOUR), "professionals": (OLD_PROFESSIONALS, NEW_PROFESSIONALS),
              "cadres": ("", NEW_CADRES)}
    for indicator in Indicator.objects.all():
        old_new = seeded.get(indicator.code)
        if old_new and indicator.disaggregations.strip() == old_new[0]:
            text = old_new[1]
        else:
            text = rewrite(indicator.disaggregations)
        if text != indicator.disaggregations:
            indicator.disaggregations = text
            indicator.save(update_fields=["disaggregations"])


def forwards(apps, schema_editor):
    upgrade(apps.get_model("assessment", "Indicator"))
    apps.get_model("assessment", "FiguresCache").objects.all().delete()


def backwards(apps, schema_editor):
    Indicator = apps.get_model("assessment", "Indicator")
    Indicator.objects.filter(code__in=[i[0] for i in INDICATORS], manual_actuals__isnull=True).delete()
    for code, (old, new) in {"labour": (OLD_LABOUR, NEW_LABOUR), "professionals": (OLD_PROFESSIONALS, NEW_PROFESSIONALS),
                             "cadres": ("", NEW_CADRES)}.items():
        Indicator.objects.filter(code=code, disaggregations=new).update(disaggregations=old)
    apps.get_model("assessment", "FiguresCache").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0003_figures_cache_dashboard")]
    operations = [migrations.RunPython(forwards, backwards)]
