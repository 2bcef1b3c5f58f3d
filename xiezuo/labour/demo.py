"""Demo of labour cooperation and talent exchange (FACTS.md, 劳务协作、人才交流).

The article gives totals only; the records here split them into plainly
illustrative rows (is_demo=True, names such as 示例学员001):
- 东西部协作劳动技术培训班: 3 classes (期), 150 trainees, in 2021–2022. The
  trainees' 身份证号 are test numbers built with `make_id_number` on the 630123
  region code: valid by check character, belonging to nobody.
- "三支" exchanged both ways in 2021–2022: 31 人次.
- Medical experts to 湟源县人民医院 since 2017: 5 batches, 12 experts
  (administration, medicine, nursing). Batches 4 (2021, 2 experts) and 5
  (2022, 3 experts) fall in 2021–2022 and are 5 of the 31 人次; batches 1–3
  (2017–2019, 7 experts) predate the current cooperation and count only in
  their own years.
Employment records are illustrative only (the article gives no figure).
"""

import datetime
from decimal import Decimal

from lib.ids import make_id_number
from xiezuo.demo import step
from xiezuo.pairings.models import Organisation, Pairing, Region

from .models import Employment, Person, TalentExchange, Trainee, TrainingClass

D = datetime.date

CLASSES = [
    # name, trade, start, end, days, place
    ("东西部协作劳动技术培训班（第一期）", "中式烹调", D(2021, 7, 12), D(2021, 7, 26), 15, "湟源县职业技术学校（示例）"),
    ("东西部协作劳动技术培训班（第二期）", "家政服务", D(2022, 4, 11), D(2022, 4, 25), 15, "湟源县职业技术学校（示例）"),
    ("东西部协作劳动技术培训班（第三期）", "电工", D(2022, 9, 5), D(2022, 9, 19), 15, "湟源县大华工业园区（示例）"),
]
TRAINEES_PER_CLASS = 50

# Hospital batches: (batch, start, end, [specialties]) — 12 experts in all.
HOSPITAL_BATCHES = [
    ("2017年第1批", D(2017, 5, 8), D(2017, 11, 7), ["行政管理", "医疗", "护理"]),
    ("2018年第2批", D(2018, 5, 7), D(2018, 8, 6), ["医疗", "护理"]),
    ("2019年第3批", D(2019, 5, 6), D(2019, 11, 5), ["行政管理", "医疗"]),
    ("2021年第4批", D(2021, 5, 10), D(2021, 11, 9), ["医疗", "护理"]),
    ("2022年第5批", D(2022, 5, 9), D(2022, 8, 8), ["行政管理", "医疗", "护理"]),
]
HOSPITAL_WORK = "教学查房、专题讲座、疑难病例会诊、义诊"

DEMO_ORGS = [
    ("六合区示例农业技术推广站（示例）", "public", "六合区"),
    ("湟源县示例农业技术推广站（示例）", "public", "湟源县"),
]


def demo_id_number(i):
    """Return the i-th test 身份证号: 630123, a birth date, sequence i, check char."""
    birth = D(1975 + i % 25, 1 + i % 12, 1 + i % 28)
    return make_id_number(f"630123{birth:%Y%m%d}{i:03d}")


def _county():
    return Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")


@step(410)
def training_classes():
    county = _county()
    townships = list(Region.objects.filter(parent__name="湟源县", level="township").order_by("code"))
    dahua = Region.objects.get(name="大华镇", level="township")
    villages = list(Region.objects.filter(parent=dahua, level="village").order_by("name"))
    organiser = Organisation.objects.get(name="湟源县东西部协作办公室")
    households = [Person.POVERTY, Person.GENERAL, Person.GENERAL, Person.POVERTY, Person.MONITORED]
    for n, (name, trade, start, end, days, place) in enumerate(CLASSES):
        tc = TrainingClass.objects.create(
            pairing=county, name=name, trade=trade, kind=TrainingClass.SKILL, start=start, end=end, days=days,
            place=place, organiser=organiser, is_demo=True,
            note="班次与总人数据报道；工种、日期、地点和学员为示例。")
        for k in range(TRAINEES_PER_CLASS):
            i = n * TRAINEES_PER_CLASS + k + 1
            township = townships[i % len(townships)]
            person = Person(pairing=county, name=f"示例学员{i:03d}", household_type=households[i % len(households)],
                            township=township, is_demo=True, note="测试数据：身份证号为按校验规则生成的测试号码")
            if township == dahua and villages:
                person.village = villages[i % len(villages)]
            person.set_id_number(demo_id_number(i))
            person.save()
            certified = i % 5 != 0
            Trainee.objects.create(training_class=tc, person=person, certificate=certified,
                                   certificate_name=f"{trade}培训合格证书" if certified else "")


@step(420)
def employments():
    county = _county()
    # Most go to the paired province (江苏); three of the ongoing jobs are in
    # another province, to show the report's four destinations.
    destinations = [Employment.PAIRED, Employment.PAIRED, Employment.IN_PROVINCE, Employment.IN_COUNTY]
    forms = ["enterprise", "enterprise", "flexible", "workshop"]
    employers = {Employment.PAIRED: ("江苏示例用工企业（示例）", "南京市六合区"),
                 Employment.OTHER_PROVINCE: ("浙江示例用工企业（示例）", "浙江省宁波市"),
                 Employment.IN_PROVINCE: ("西宁示例用工企业（示例）", "青海省西宁市"),
                 Employment.IN_COUNTY: ("湟源县示例用工企业（示例）", "青海省西宁市湟源县")}
    for i in range(1, 21):
        person = Person.objects.get(pairing=county, name=f"示例学员{i:03d}")
        d = Employment.OTHER_PROVINCE if i in (12, 16, 20) else destinations[i % 4]
        start = D(2021, 8 + i % 4, 1) if i <= 10 else D(2022, 3 + i % 6, 10)
        # Every fourth job is still ongoing; the others last 3 to 9 months.
        end = None if i % 4 == 0 else start + datetime.timedelta(days=30 * (3 + i % 7))
        employer, place = employers[d]
        away = d in (Employment.PAIRED, Employment.OTHER_PROVINCE)
        Employment.objects.create(
            pairing=county, person=person, destination=d, form=forms[i % 4], employer=employer, place=place,
            start=start, end=end, monthly_income=Decimal(4200 if away else 3000) + i * 50, is_demo=True)


def _exchange(pairing, person, **kwargs):
    return TalentExchange.objects.create(pairing=pairing, person=person, is_demo=True, **kwargs)


@step(430)
def talent_exchanges():
    county = _county()
    hospital_pair = Pairing.objects.get(level="hospital", parent=county)
    school_pair = Pairing.objects.get(level="school", parent=county)
    org = {o.name: o for o in Organisation.objects.all()}
    for name, kind, region in DEMO_ORGS:
        org[name], _ = Organisation.objects.get_or_create(
            name=name, region=Region.objects.get(name=region), defaults={"kind": kind, "is_demo": True})
    liuhe_hospital, hy_hospital = org["南京市六合区人民医院"], org["湟源县人民医院"]
    liuhe_school, hy_school = org["南京市六合区示例小学（示例）"], org["湟源县城关第一小学"]
    liuhe_agri, hy_agri = org["六合区示例农业技术推广站（示例）"], org["湟源县示例农业技术推广站（示例）"]

    # 5 batches, 12 medical experts to 湟源县人民医院 since 2017 (支医, 东→西).
    n = 0
    for batch, start, end, specialties in HOSPITAL_BATCHES:
        for specialty in specialties:
            n += 1
            expert = Person.objects.create(pairing=hospital_pair, name=f"示例医疗专家{n:02d}", unit=liuhe_hospital,
                                           is_demo=True)
            _exchange(hospital_pair, expert, kind=TalentExchange.DOCTOR, direction=TalentExchange.E2W,
                      sending_unit=liuhe_hospital, receiving_unit=hy_hospital, batch=batch, start=start, end=end,
                      specialty=specialty, post=f"{specialty}帮扶", note=HOSPITAL_WORK)

    # The other 26 人次 of "三支" in 2021–2022, both ways (31 with the 5 above).
    plan = [
        # pairing, kind, direction, sending, receiving, name prefix, dates per 人次
        (hospital_pair, TalentExchange.DOCTOR, TalentExchange.W2E, hy_hospital, liuhe_hospital, "示例进修医生",
         [D(2021, 9, 1), D(2021, 9, 1), D(2022, 3, 1), D(2022, 3, 1)]),
        (school_pair, TalentExchange.TEACHER, TalentExchange.E2W, liuhe_school, hy_school, "示例支教教师",
         [D(2021, 9, 1)] * 4 + [D(2022, 2, 14)] * 4),
        (school_pair, TalentExchange.TEACHER, TalentExchange.W2E, hy_school, liuhe_school, "示例跟岗教师",
         [D(2021, 10, 11)] * 3 + [D(2022, 10, 10)] * 3),
        (county, TalentExchange.AGRI, TalentExchange.E2W, liuhe_agri, hy_agri, "示例支农技术员",
         [D(2021, 4, 6)] * 2 + [D(2022, 4, 6)] * 3),
        (county, TalentExchange.AGRI, TalentExchange.W2E, hy_agri, liuhe_agri, "示例农技人员",
         [D(2021, 11, 1), D(2022, 6, 1), D(2022, 6, 1)]),
    ]
    for pairing, kind, direction, sending, receiving, prefix, starts in plan:
        people = []
        for k, start in enumerate(starts, start=1):
            # The first 支农 technician of 2021 came back in 2022: one person,
            # two 人次 — persons and 人次 differ, as in real ledgers.
            if kind == TalentExchange.AGRI and direction == TalentExchange.E2W and k == 3:
                person = people[0]
            else:
                person = Person.objects.create(pairing=pairing, name=f"{prefix}{k:02d}", unit=sending, is_demo=True)
            people.append(person)
            months = 6 if kind == TalentExchange.TEACHER and direction == TalentExchange.E2W else 3
            end = start + datetime.timedelta(days=30 * months)
            _exchange(pairing, person, kind=kind, direction=direction, sending_unit=sending, receiving_unit=receiving,
                      batch=f"{start.year}年", start=start, end=end)
