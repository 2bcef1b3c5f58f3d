from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiezuo.audit.context import acting_as
from xiezuo.pairings.models import Pairing

from ... import reports, workflow


class Command(BaseCommand):
    help = ("Write one side's self-evaluation report (自评报告) of a pairing-year as a .docx file: "
            "--side east or west (without --side the west report, as before each side had its own).")

    def add_arguments(self, parser):
        parser.add_argument("--pairing", type=int, required=True, help="结对关系 ID")
        parser.add_argument("--year", type=int, required=True, help="年度，如 2022")
        parser.add_argument("--out", required=True, help="输出文件，如 自评报告.docx")
        parser.add_argument("--side", choices=["east", "west"], default="west",
                            help="自评方：east（东部）或 west（西部，默认）")

    def handle(self, *args, pairing, year, out, side="west", **options):
        target = Path(out)
        if target.suffix.lower() != ".docx":
            raise CommandError("输出文件应以 .docx 结尾")
        if not 2000 <= year <= 2100:
            raise CommandError("年度应在2000至2100之间")
        found = Pairing.objects.filter(pk=pairing).first()
        if found is None:
            raise CommandError(f"结对关系 {pairing} 不存在")
        with acting_as(username="self_evaluation"):
            # A year without a self-evaluation yet is drafted from the data.
            evaluation = workflow.get_or_draft(found, year, side=side)
        target.write_bytes(reports.self_evaluation_docx(evaluation))
        self.stdout.write(f"已生成 {target}（{evaluation.get_status_display()}）")
