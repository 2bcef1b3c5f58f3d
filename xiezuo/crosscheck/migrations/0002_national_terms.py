"""The national vocabulary: the words offices use in 简报 and 总结 for the
figures the ledgers hold. Offices add their own rows on the vocabulary page."""

from django.db import migrations

# label, words, units, context, path, note
NATIONAL = [
    ("财政援助资金", "帮扶资金、财政援助资金、协作资金、援助资金、东西部协作资金", "", "", "funds.fiscal_received",
     "按到位日期计入年度"),
    ("结对帮扶资金", "帮扶资金、结对帮扶资金、结对资金", "", "结对", "funds.pairing_received",
     "句中提到结对时，帮扶资金指结对帮扶资金"),
    ("社会帮扶资金", "社会帮扶资金、社会帮扶、社会资金", "", "", "funds.social_received", ""),
    ("到位资金", "到位资金、资金到位", "", "", "funds.received", "财政援助、社会帮扶与结对帮扶资金合计"),
    ("项目资金", "项目资金、项目投资、安排资金", "", "", "funds.allocated", "已安排到项目的协作资金"),
    ("已拨付资金", "拨付资金、已拨付、拨付", "", "", "funds.disbursed", ""),
    ("资金支出进度", "支出进度、拨付进度、执行率", "%", "", "funds.execution_rate", ""),
    ("项目个数", "项目", "个、项", "", "funds.projects", ""),
    ("项目大类", "大类、类", "大类、类", "项目", "funds.categories", "如“4大类7个项目”"),
    ("项目开工率", "开工率", "%", "", "funds.started_rate", ""),
    ("项目完工率", "完工率", "%", "", "funds.completed_rate", ""),
    ("受益在校学生", "学生、在校学生、在校生", "名、人", "受益", "funds.beneficiaries.students",
     "须与“受益”同句，以免把工程说明中的人数当作受益人数"),
    ("受益在园幼儿", "幼儿、在园幼儿", "名、人", "受益", "funds.beneficiaries.children", ""),
    ("受益学校", "学校", "所", "受益", "funds.beneficiaries.schools", ""),
    ("受益幼儿园", "幼儿园", "所", "受益", "funds.beneficiaries.kindergartens", ""),
    ("消费帮扶金额", "消费帮扶、消费扶贫、销售额、销售、采购、购买、帮销", "", "", "consumption.total",
     "直接采购与帮助销售合计"),
    ("直接采购", "直接采购、直接购买", "", "", "consumption.purchased", ""),
    ("帮助销售", "帮助销售、帮助销售农产品", "", "", "consumption.helped_sales", ""),
    ("培训班期数", "培训、培训班", "期、班", "", "labour.training_classes", ""),
    ("培训人次", "培训、培训班、参训", "人、人次、名", "", "labour.trainees", ""),
    ("帮助农村劳动力就业", "就业、务工、转移就业", "人、名", "", "labour.employed", ""),
    ("其中脱贫劳动力就业", "脱贫劳动力、脱贫人口", "人、名", "就业", "labour.employed_poverty", ""),
    ("“三支”人才", "三支", "人次、人、名", "", "talent.sanzhi_person_times", "支教、支医、支农合计"),
    ("支教", "支教、支教教师", "人次、人、名", "", "talent.by_kind.teacher", ""),
    ("支医", "支医、医疗人才", "人次、人、名", "", "talent.by_kind.doctor", ""),
    ("支农", "支农、农技人员", "人次、人、名", "", "talent.by_kind.agri", ""),
    ("交流人才", "人才交流、交流人才、专业技术人才", "人次", "", "talent.person_times", ""),
    ("党政挂职干部", "挂职干部、党政干部、挂职", "人、名", "", "talent.cadres", "在岗人数"),
    ("帮扶车间", "帮扶车间、车间", "个、家", "", "industry.workshops", ""),
    ("帮扶车间吸纳就业", "吸纳就业、吸纳", "人、名", "车间", "industry.workshop_jobs", ""),
    ("引导落地企业", "企业、落地企业", "家、个", "", "industry.enterprises_landed", ""),
    ("企业实际到位投资", "投资、企业投资、到位投资、实际投资", "", "", "industry.investment_arrived", ""),
    ("共建产业园区", "园区、产业园", "个", "", "industry.parks", ""),
    ("社会捐赠", "捐赠、捐款捐物、捐款", "", "", "industry.donations", ""),
    ("结对帮扶村", "结对帮扶村、结对村", "个", "", "industry.paired_villages", "企业、社会组织结对帮扶的村（不同村数）"),
    ("党政主要负责同志互访", "互访", "次", "", "exchanges.leader_visits", ""),
    ("联席会议", "联席会议、联席会", "次", "", "exchanges.joint_meetings", ""),
    ("考察交流", "考察", "次、批", "", "exchanges.visits", ""),
]


def seed(apps, schema_editor):
    Term = apps.get_model("crosscheck", "Term")
    for label, words, units, context, path, note in NATIONAL:
        Term.objects.get_or_create(pairing=None, label=label,
                                   defaults={"words": words, "units": units, "context": context, "path": path,
                                             "note": note})


def unseed(apps, schema_editor):
    apps.get_model("crosscheck", "Term").objects.filter(pairing=None, label__in=[r[0] for r in NATIONAL]).delete()


class Migration(migrations.Migration):
    dependencies = [("crosscheck", "0001_terms")]

    operations = [migrations.RunPython(seed, unseed)]
