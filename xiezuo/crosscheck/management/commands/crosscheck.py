"""Check the figures of a text file or .docx against the ledgers:
manage.py crosscheck --pairing ID FILE [--date YYYY-MM-DD] [--user NAME] [--json]."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from xiezuo.accounts.models import User
from xiezuo.accounts.scope import scope_for
from xiezuo.crosscheck import services
from xiezuo.pairings.models import Pairing


class AllPairings:
    """The scope of the operator at the console, who reads every pairing."""

    def has(self, pairing, perm="read"):
        return True


class Command(BaseCommand):
    help = "核对文稿（.txt 或 .docx）中的数字与台账是否一致"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--pairing", type=int, required=True, help="文稿所属结对的编号")
        parser.add_argument("--date", help="文稿日期（YYYY-MM-DD），“今年”“去年”据此确定；默认今天")
        parser.add_argument("--user", help="按该用户可查看的范围核对（默认不限）")
        parser.add_argument("--json", dest="as_json", action="store_true", help="输出 JSON")

    def handle(self, *args, file, pairing, date, user, as_json=False, **options):
        target = Pairing.objects.filter(pk=pairing).first()
        if target is None:
            raise CommandError(f"结对{pairing}不存在")
        try:
            on = datetime.date.fromisoformat(date) if date else datetime.date.today()
        except ValueError:
            raise CommandError(f"日期“{date}”无法识别，请写成2022-07-01") from None
        scope = AllPairings()
        if user:
            account = User.objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"用户“{user}”不存在")
            scope = scope_for(account)
            if not scope.has(target, "read"):
                raise CommandError(f"用户“{user}”无权查看结对{pairing}")
        try:
            if file.lower().endswith(".docx"):
                with open(file, "rb") as f:
                    text = services.docx_text(f)
            else:
                with open(file, encoding="utf-8-sig") as f:
                    text = f.read()
        except OSError as e:
            raise CommandError(f"无法读取文件“{file}”：{e.strerror}") from None
        claims = services.check(text, target, scope, on)
        if as_json:
            self.stdout.write(_json([c.as_json() for c in claims]))
            return
        for c in claims:
            line = f"{c.written}\t{c.value_text}\t{c.claim_text or '—'}\t{c.ledger_text or '—'}\t{c.verdict_label}"
            if c.difference_text:
                line += f"（差{c.difference_text}）"
            if c.reason:
                line += f"\t{c.reason}"
            self.stdout.write(line)
        counts = services.tally(claims)
        self.stdout.write("；".join(f"{services.VERDICTS[k]}{n}处" for k, n in counts.items()))


def _json(data):
    return json.dumps(data, ensure_ascii=False, indent=2)
