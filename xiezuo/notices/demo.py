"""Demo notices (示例, every notice `is_demo=True`): each demo project gets
the notices its steps need, each run for its period on the county website
and the township board before the step, so the demo's transitions pass the
period rule. The board photo is one small generated picture of a board
marked 示例, stored once and shared by every demo posting. One 2022 notice
received a telephone call during its period, handled. Dates, telephone
numbers and the caller are illustrative."""

import datetime
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from xiezuo.accounts.models import User

from .models import (COUNTY_SITE, IMPLEMENTATION, LISTING, PHONE, PLAN, PUBLISHED, TOWNSHIP_BOARD,
                     RESULT, VILLAGE_BOARD, Notice, NoticeFeedback, NoticePosting)
from .rules import NEEDED

HOTLINE = "0971-2432000"
PHOTO_NAME = "notices/demo/board-example.jpg"
DAY = datetime.timedelta(days=1)
_photo = {}


def board_jpeg():
    """Return the bytes of a small picture of a notice board marked 示例 (made once)."""
    if "bytes" not in _photo:
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (160, 100), (200, 40, 40))
        draw = ImageDraw.Draw(image)
        draw.rectangle((10, 10, 150, 90), fill=(245, 245, 235))
        for y in range(24, 84, 10):
            draw.line((20, y, 140, y), fill=(90, 90, 90), width=2)
        try:
            from PIL import ImageFont

            font = ImageFont.truetype("NotoSansCJK-Regular.ttc", 28)
            draw.text((52, 30), "示例", fill=(200, 0, 0), font=font)
        except OSError:
            draw.text((60, 40), "DEMO", fill=(200, 0, 0))
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=70)
        _photo["bytes"] = buf.getvalue()
    return _photo["bytes"]


def board_photo_name():
    if not default_storage.exists(PHOTO_NAME):
        return default_storage.save(PHOTO_NAME, ContentFile(board_jpeg()))
    return PHOTO_NAME


def run_notice(subject, stage, start, user, photos=True, demo=True):
    """Make a notice of `stage` for a project or entry, published and posted
    on every required channel from `start` for the shortest period."""
    notice = Notice.draft_for(subject, stage)
    notice.hotline = notice.hotline or HOTLINE
    notice.start_date = start
    notice.end_date = start + datetime.timedelta(days=9)
    notice.is_demo = demo
    if stage == "result":
        notice.results = "项目已按设计完成建设并通过验收，资产已登记（示例）"
    notice.full_clean()
    notice.save()
    for channel in notice.required_channels():
        posting = NoticePosting(notice=notice, channel=channel, posted_on=start,
                                url="https://www.huangyuan.gov.cn/gsgg/example" if channel == COUNTY_SITE else "")
        if channel in (TOWNSHIP_BOARD, VILLAGE_BOARD) and photos:
            posting.photo.name = board_photo_name()
        posting.save()
    notice.publish(user, start)
    notice.refresh_from_db()
    return notice


# The notice a status opens: published on the day of the step.
OPENS = {"approved": PLAN, "implementing": IMPLEMENTATION, "accepted": RESULT}


def give_notices(project, status, date, user=None, demo=True):
    """Give `project` the notices it needs to move to `status` on `date`,
    each started ten days before (or on the day of the previous step when
    that leaves the period) and run, and the notice the new status opens
    (计划公告 on 立项, 实施公示 on 实施, 验收结果公告 on 验收), started on
    `date`. A notice already there is kept."""
    user = user or User.objects.get(username="huangyuan")
    last = project.status_changes.order_by("-date", "-pk").first()
    made = []
    if status in OPENS and not project.notices.filter(stage=OPENS[status], status=PUBLISHED).exists():
        made.append(run_notice(project, OPENS[status], date, user, demo=demo))
    for stage in NEEDED.get(status, ()):
        subject = project.library_entry if stage == LISTING else project
        if subject is None:
            continue
        existing = Notice.objects.filter(stage=stage, status=PUBLISHED, **(
            {"library_entry": subject} if stage == LISTING else {"project": subject}))
        if existing.exists():
            continue
        start = date - datetime.timedelta(days=10)
        if stage == LISTING and subject.listed_on and subject.listed_on <= start:
            start = subject.listed_on
        elif last is not None and last.date <= start:
            start = last.date
        made.append(run_notice(subject, stage, start, user, demo=demo))
    for notice in made:
        if demo and project.code == "HY-2022-01" and notice.stage == PLAN:
            feedback = NoticeFeedback(notice=notice, received_on=notice.start_date + 2 * DAY, channel=PHONE,
                                      content="询问运动场建设是否占用学生上课时间（示例）",
                                      handling="已电话回复：施工安排在假期，不影响教学（示例）",
                                      handled_on=notice.start_date + 3 * DAY)
            feedback.set_person("王示例", "13800000000")
            feedback.save()
    return project


