from django.core.management.base import BaseCommand, CommandError

from xiezuo.audit.context import acting_as
from xiezuo.audit.models import record
from xiezuo.consumption.totals import differences, rebuild


class Command(BaseCommand):
    help = ("Recompute the consumption totals from the sales and report every difference. "
            "With --check only report (exit 1 when any total is wrong); without it, also fix them.")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="report differences, change nothing")
        parser.add_argument("--pairing", type=int, action="append", help="limit to these pairing ids")

    def handle(self, *args, check=False, pairing=None, **options):
        diffs = differences(pairing)
        for table, key, have, want in diffs:
            self.stdout.write(f"{table} {key}: 现有 {have[0] / 100:.2f}元/{have[1]}条，"
                              f"应为 {want[0] / 100:.2f}元/{want[1]}条")
        if not diffs:
            self.stdout.write("消费帮扶汇总与明细一致。")
            return
        if check:
            raise CommandError(f"发现{len(diffs)}处汇总与明细不一致")
        with acting_as(username="recompute_consumption_totals"):
            rebuild(pairing)
            record("admin", model="consumption.SaleTotal", summary=f"按明细重算消费帮扶汇总，修正{len(diffs)}处",
                   after={"differences": len(diffs), "pairings": pairing})
        self.stdout.write(f"已按明细重算，修正{len(diffs)}处。")
