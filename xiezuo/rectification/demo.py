"""Demo of rectification (示例, every task `is_demo=True`): on the
六合区—湟源县 county pair, one problem from an inspection closed (销号) by a
second person, and one from an audit past its deadline and still open. The
article names no such problem: both are illustrative."""

import datetime

from xiezuo.accounts.models import User
from xiezuo.demo import step
from xiezuo.pairings.models import Organisation, Pairing

from .models import AUDIT, INSPECTION, Rectification

D = datetime.date


@step(600)
def rectifications():
    county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
    west, east = User.objects.get(username="huangyuan"), User.objects.get(username="liuhe")
    closed = Rectification.objects.create(
        pairing=county, source=INSPECTION, found_on=D(2022, 4, 12), deadline=D(2022, 6, 30),
        problem="部分协作项目资产移交后未及时登记入账（示例）", source_ref="市委第二巡察组反馈意见（示例）",
        owner_unit=Organisation.objects.get(name="湟源县东西部协作办公室"), owner_person="张示例",
        measures="逐项清理2021年以来完工项目，补办资产移交手续并登记入账（示例）",
        evidence="已完成7个项目的资产移交登记，附移交清单（示例）", is_demo=True)
    closed.submit(west)
    closed.close(east, day=D(2022, 7, 8))
    Rectification.objects.create(
        pairing=county, source=AUDIT, found_on=D(2022, 9, 20), deadline=D(2022, 12, 31),
        problem="个别项目资金拨付进度滞后于工程进度（示例）", source_ref="湟源县审计报告（示例）",
        owner_unit=Organisation.objects.get(name="湟源县教育局"), owner_person="李示例",
        measures="督促实施单位按进度申请拨付（示例）", is_demo=True)
