import csv

from django.core.management.base import BaseCommand, CommandError

from xiezuo.pairings.services import load_regions_csv


class Command(BaseCommand):
    help = ("Load a GB/T 2260 (统计用区划代码) code list from CSV: code,name,level,parent_code[,is_832]. "
            "is_832 (1/是 or 0/否/blank) marks the counties on the list of the 832 脱贫县; a file without "
            "the column leaves the marks as they are.")

    def add_arguments(self, parser):
        parser.add_argument("csv_path")

    def handle(self, csv_path, **options):
        try:
            with open(csv_path, encoding="utf-8-sig", newline="") as fh:
                created, updated = load_regions_csv(csv.DictReader(fh))
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{csv_path}") from None
        except ValueError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"区划代码已载入：新增{created}条，更新{updated}条。")
