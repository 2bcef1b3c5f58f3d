from django.core.management.base import BaseCommand, CommandError

from xiezuo.audit.models import verify_chain
from xiezuo.front.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the whole database with the backup in FILE, then verify the audit chain."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        try:
            restore(file)
        except (BackupError, OSError) as e:
            raise CommandError(f"恢复失败：{e}") from None
        count, _, reason = verify_chain()
        if reason:
            raise CommandError(f"已恢复，但审计链校验未通过：{reason}")
        self.stdout.write(f"已从 {file} 恢复；审计链完整（{count}条事件）。")
