"""The catalogue by the official statistics (docs/modules/rules.md,
"Indicator catalogue"):

- every seeded indicator names its source (`basis`): the title and date of
  the public text, or 我方判断 where none was found;
- 企业、社会组织结对帮扶村 counts villages (个), no longer pairing rows, with
  the enterprises (家) and social organisations (个) beside them: the
  national figures give the three counts;
- new indicators: 帮扶车间 with their 脱贫 workers, 共建园区 results
  (入园企业, 到位资金, 带动就业), training of 党政干部 and of 专业技术人才
  (人次), pairing coverage by level, 项目带动脱贫人口, 乡村振兴示范村.

A seeded text is changed only while it holds the seeded value, and a basis
only while it is empty: an office's own wording stays. A computation or
disaggregation naming the retired `industry.village_pairs` (pairing rows)
is pointed at `industry.paired_villages`. The figures cache is emptied:
the sections' keys changed.
"""

from django.db import migrations

NATIONAL = "农业农村部2023年东西部协作数据（人民日报、中国网，2024年1月3日）"
SUSHAN = "苏陕协作2021年工作报告"
WORKSHOP_TEXTS = "柳江区就业帮扶车间认定条件（广西柳州市柳江区政府网站，未注明日期）"
JUDGEMENT = "我方判断"

INDICATORS = [
    # code, name, unit, side, computation, disaggregations, order, basis
    ("workshops", "帮扶车间", "个", "both", "industry.workshops",
     "吸纳就业（人）=industry.workshop_jobs\n其中脱贫人口（含监测对象）（人）=industry.workshop_jobs_poverty",
     51, f"{WORKSHOP_TEXTS}；{SUSHAN}"),
    ("park_enterprises", "共建园区入园企业", "家", "both", "industry.park_enterprises",
     "入园企业当年到位资金（元）=industry.park_investment_arrived\n带动就业（人）=industry.park_jobs\n"
     "其中脱贫劳动力（人）=industry.park_jobs_poverty", 52, SUSHAN),
    ("cadre_training", "培训党政干部", "人次", "both", "labour.cadre_trainees",
     "培训班期数=labour.cadre_classes", 91, "宁波市奉化区东西部协作工作情况（奉化区人民政府网站，2025年5月12日）"),
    ("professional_training", "培训专业技术人才", "人次", "both", "labour.professional_trainees",
     "培训班期数=labour.professional_classes", 92, f"{JUDGEMENT}（与培训党政干部同一口径）"),
    ("pairing_coverage", "各层级结对", "个", "both", "pairing.coverage_total",
     "镇镇结对=pairing.coverage.township\n村村结对=pairing.coverage.village\n校校结对=pairing.coverage.school\n"
     "院院结对=pairing.coverage.hospital\n企村结对=pairing.coverage.enterprise_village\n"
     "社会组织结对村=pairing.coverage.social_village", 101, SUSHAN),
    ("demo_villages", "乡村振兴示范村", "个", "both", "industry.demo_villages",
     "其中当年命名=industry.demo_villages_new", 102, NATIONAL),
    ("poverty_led", "项目带动脱贫人口（含监测对象）", "人", "west", "funds.poverty_led",
     "其中防止返贫监测对象=funds.poverty_led_monitored", 141, f"{SUSHAN}；只计实施及以后阶段的项目：{JUDGEMENT}"),
]

# The basis of the indicators seeded before.
BASIS = {
    "fiscal_funds": NATIONAL,
    "social_funds": NATIONAL,
    "cadres": NATIONAL,
    "cadres_e2w": f"{NATIONAL}；按东西两侧分别考核：四川省乡村振兴局通知（2021年12月9日）",
    "cadres_w2e": f"{NATIONAL}；按东西两侧分别考核：四川省乡村振兴局通知（2021年12月9日）",
    "professionals": NATIONAL,
    "professionals_e2w": f"{NATIONAL}；按东西两侧分别考核：四川省乡村振兴局通知（2021年12月9日）",
    "professionals_w2e": f"{NATIONAL}；按东西两侧分别考核：四川省乡村振兴局通知（2021年12月9日）",
    "parks": NATIONAL,
    "enterprises": f"{NATIONAL}；按到位年度计数：{JUDGEMENT}",
    "consumption": NATIONAL,
    "labour": f"{NATIONAL}；去向：中国青年报（2020年7月8日）",
    "training": "人社厅函〔2022〕173号（劳务协作）；人次按名册计：我方判断",
    "village_pairs": NATIONAL,
    "visits": f"{JUDGEMENT}（年度协议的目标；未找到规定计数口径的公开文件）",
    "meetings": f"{JUDGEMENT}（年度协议的目标；未找到规定计数口径的公开文件）",
    "execution": JUDGEMENT,
    "projects": f"{JUDGEMENT}（立项后计为项目，储备不计）",
}

OLD_VILLAGE = ("village_pairs", "industry.village_pairs", "")
NEW_VILLAGE = ("industry.paired_villages",
               "结对企业（家）=industry.village_pair_enterprises\n结对社会组织（个）=industry.village_pair_social_orgs")
RETIRED = {"industry.village_pairs": "industry.paired_villages"}


def rewrite(text):
    """Point lines naming a retired computation at its successor."""
    lines = []
    for line in text.splitlines():
        if "=" in line:
            label, key = line.split("=", 1)
            line = f"{label}={RETIRED.get(key.strip(), key.strip())}"
        lines.append(line)
    return "\n".join(lines)


def upgrade(Indicator):
    """Bring a catalogue to these rules (used by the migration and by the
    demo, which seeds a flushed database the same way)."""
    for code, name, unit, side, computation, dis, order, basis in INDICATORS:
        Indicator.objects.get_or_create(code=code, defaults={
            "name": name, "unit": unit, "side": side, "computation": computation, "disaggregations": dis,
            "order": order, "basis": basis})
    for indicator in Indicator.objects.all():
        changed = []
        if not indicator.basis and indicator.code in BASIS:
            indicator.basis = BASIS[indicator.code]
            changed.append("basis")
        if indicator.code == OLD_VILLAGE[0] and indicator.computation == OLD_VILLAGE[1] \
                and indicator.disaggregations.strip() == OLD_VILLAGE[2]:
            indicator.computation, indicator.disaggregations = NEW_VILLAGE
            changed += ["computation", "disaggregations"]
        computation = RETIRED.get(indicator.computation, indicator.computation)
        text = rewrite(indicator.disaggregations)
        if computation != indicator.computation:
            indicator.computation = computation
            changed.append("computation")
        if text != indicator.disaggregations:
            indicator.disaggregations = text
            changed.append("disaggregations")
        if changed:
            indicator.save(update_fields=sorted(set(changed)))


def forwards(apps, schema_editor):
    upgrade(apps.get_model("assessment", "Indicator"))
    apps.get_model("assessment", "FiguresCache").objects.all().delete()


def backwards(apps, schema_editor):
    Indicator = apps.get_model("assessment", "Indicator")
    Indicator.objects.filter(code__in=[i[0] for i in INDICATORS], manual_actuals__isnull=True).delete()
    Indicator.objects.filter(code=OLD_VILLAGE[0], computation=NEW_VILLAGE[0],
                             disaggregations=NEW_VILLAGE[1]).update(computation=OLD_VILLAGE[1],
                                                                    disaggregations=OLD_VILLAGE[2])
    for code, basis in BASIS.items():
        Indicator.objects.filter(code=code, basis=basis).update(basis="")
    apps.get_model("assessment", "FiguresCache").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0006_indicator_basis")]
    operations = [migrations.RunPython(forwards, backwards)]
