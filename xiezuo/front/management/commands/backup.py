from django.core.management.base import BaseCommand, CommandError

from xiezuo.front.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a consistent backup of the whole database to FILE (mode 0600, without login sessions)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        try:
            backup(file)
        except (BackupError, OSError) as e:
            raise CommandError(f"备份失败：{e}") from None
        self.stdout.write(f"已备份到 {file}（仅文件所有者可读，不含登录会话）")
