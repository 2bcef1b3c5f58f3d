"""Demo of the asset ledger (示例, every record `is_demo=True`): an asset
for each demo project handed over (资产移交), registered at handover with
its project's budget as its value (the demo's disbursements are entered
after the projects), among them the hospital's equipment of 2021 and the
ICU equipment of 2022, the school works of 2019, 2020 and 2022 (公益性), and
the industrial park of 2021 (经营性) with a 2022 income shared out to
脱贫户 and the village collectives, and a few care records. The article
gives none of these asset details: names, owners, income and shares are
illustrative."""

import datetime
from decimal import Decimal

from xiezuo.demo import step
from xiezuo.pairings.models import Organisation

from .models import REGISTRABLE, OPERATING, POOR, COLLECTIVE, PUBLIC, Asset, AssetCare, AssetIncome, AssetIncomeShare, suggested_value

D = datetime.date

# Project code → (asset name, class, owner organisation); a project not
# listed gets one 公益性 asset named after it, owned by its implementing unit.
ASSETS = {
    "HY-2019-01": ("学校外墙保温及门窗（示例）", PUBLIC, "湟源县教育局"),
    "HY-2020-01": ("学校主席台、看台、体育器材室及管网（示例）", PUBLIC, "湟源县教育局"),
    "HY-2021-01": ("产业园标准化厂房及配套设施（示例）", OPERATING, "湟源县乡村振兴局"),
    "HY-2021-02": ("牦牛肉精深加工生产线（示例）", OPERATING, None),
    "HY-2021-07": ("湟源县人民医院医疗设备（示例）", PUBLIC, "湟源县人民医院"),
    "HY-2022-03": ("幼儿园（走教点）玩教具及设备（示例）", PUBLIC, "湟源县教育局"),
    "HY-2022-05": ("重症监护室（ICU）设备（示例）", PUBLIC, "湟源县人民医院"),
}


def give_asset(project, handed_over_on):
    """Register the asset a demo project hands over on `handed_over_on`,
    once it is accepted (验收): called before each step of the demo's
    life-cycle loop, it acts only before the step to 资产移交 (and on a
    project handed over already, see `assets`)."""
    if project.status not in REGISTRABLE or project.assets.exists():
        return None
    name, kind, owner = ASSETS.get(project.code, (f"{project.name}形成资产（示例）", PUBLIC, None))
    owner = Organisation.objects.get(name=owner) if owner else project.implementing_unit
    return Asset.objects.create(
        pairing=project.pairing, project=project, name=name, kind=kind, value=suggested_value(project),
        final_accounts_ref="项目竣工决算（示例）", owner=owner, location=project.place, handed_over_on=handed_over_on,
        handover_ref="项目资产移交清单（示例）", custodian_unit=owner, is_demo=True)


@step(610)
def assets():
    """A database whose demo projects were handed over before the asset
    ledger existed gets their assets too; then the care records and the
    industrial park's income of 2022."""
    from xiezuo.funds.models import Project, ProjectStatusChange

    for project in Project.objects.filter(is_demo=True, status=Project.HANDED_OVER, assets=None):
        change = ProjectStatusChange.objects.filter(project=project, to_status=Project.HANDED_OVER).first()
        give_asset(project, change.date if change else D(project.year, 12, 31))
    park = Asset.objects.filter(project__code="HY-2021-01", is_demo=True).first()
    icu = Asset.objects.filter(project__code="HY-2022-05", is_demo=True).first()
    if icu is not None:
        AssetCare.objects.create(asset=icu, date=D(2022, 12, 20), unit="湟源县人民医院设备科（示例）",
                                 content="ICU设备年度巡检、校准和维护保养（示例）", cost=Decimal("18000"))
    if park is not None:
        AssetCare.objects.create(asset=park, date=D(2022, 11, 15), unit="湟源县乡村振兴局（示例）",
                                 content="厂房屋面防水维修及消防设施年检（示例）", cost=Decimal("42000"))
        income = AssetIncome.objects.create(asset=park, year=2022, date=D(2022, 12, 28), amount=Decimal("600000"),
                                            note="厂房租金收益（示例）")
        AssetIncomeShare.objects.create(income=income, kind=POOR, description="大华镇脱贫户分红（示例）",
                                        amount=Decimal("480000"), households=320, poor_households=320)
        AssetIncomeShare.objects.create(income=income, kind=COLLECTIVE, description="大华镇各村集体经济（示例）",
                                        amount=Decimal("120000"), households=0, poor_households=0)
