from django.core.management.base import BaseCommand

from xiezuo.ledgers import retention


class Command(BaseCommand):
    help = "删除已结束或超过保留期限的台账导入文件（见 xiezuo/ledgers/retention.py）"

    def handle(self, *args, **options):
        abandoned, orphans = retention.purge()
        self.stdout.write(f"已放弃超期导入任务{abandoned}个，删除无主文件{orphans}个")
