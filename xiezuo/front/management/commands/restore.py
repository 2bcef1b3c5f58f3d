from django.core.management.base import BaseCommand, CommandError

from xiezuo.audit.models import verify_chain
from xiezuo.front.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Replace the whole database with the backup in FILE, then verify the audit chain. "
            "A backup made under another SECRET_KEY or personal-data key is refused unless --other-key is given.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--other-key", action="store_true",
                            help="restore even though the backup was made under other keys")

    def handle(self, file, other_key=False, **options):
        try:
            warnings = restore(file, other_key=other_key)
        except (BackupError, OSError) as e:
            raise CommandError(f"恢复失败：{e}") from None
        for warning in warnings:
            self.stderr.write(f"注意：{warning}。")
        count, _, reason = verify_chain()
        if reason:
            raise CommandError(f"已恢复，但审计链校验未通过：{reason}")
        self.stdout.write(f"已从 {file} 恢复；审计链完整（{count}条事件）；所有登录会话已清除，请重新登录。")
