import sys
import time

from django.core.management.base import BaseCommand, CommandError

from xiezuo.audit.context import acting_as
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.services import (
    command_user,
    context_for,
    mapping_for,
    parse_map_option,
    remember_mapping,
)
from xiezuo.ledgers.spec import all_specs, get_spec


class Command(BaseCommand):
    help = "Import an Excel ledger into a pairing; exit non-zero when nothing was imported."
    # Django's system checks load the URL configuration and build the web
    # API (over half a second), none of which an import uses; `manage.py
    # check`, migrate and the server still run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("ledger", choices=sorted(all_specs()))
        parser.add_argument("file")
        parser.add_argument("--pairing", type=int, required=True)
        parser.add_argument("--mode", choices=["append", "update"], default="append")
        parser.add_argument("--dry-run", action="store_true", help="check and preview only; write nothing")
        parser.add_argument("--map", action="append", default=[], metavar="表头=field",
                            help="map an unknown header to a field (repeatable); remembered for the pairing")
        parser.add_argument("--user", help="act as this user (default: the system actor system-import)")
        parser.add_argument("--sheet", action="append", metavar="工作表",
                            help="import this sheet only (repeatable; default: every sheet whose header is found)")

    def handle(self, *args, ledger, file, pairing, mode, dry_run, map, user, sheet, verbosity, **options):
        spec = get_spec(ledger)
        try:
            actor = command_user(user)
            ctx = context_for(actor, pairing, spec.import_perm)
            extra = parse_map_option(map, spec)
        except ValueError as e:
            raise CommandError(str(e)) from None
        started = time.monotonic()
        tty = self.stdout.isatty() if hasattr(self.stdout, "isatty") else False

        def progress(done, total):
            if verbosity:
                rate = done / max(time.monotonic() - started, 1e-6)
                line = f"已处理 {done}/{total} 行（{rate:,.0f} 行/秒）"
                self.stdout.write(("\r" + line) if tty else line, ending="" if tty else "\n")

        with acting_as(actor, username=actor.username):
            result = run_import(spec, ctx, file, mode=mode, commit=not dry_run,
                                mapping=mapping_for(ctx, spec, extra), progress=progress, sheets=sheet)
            if extra and result.ok and not dry_run:
                remember_mapping(ctx, spec, extra)
        if tty and verbosity:
            self.stdout.write("")
        for notice in result.notices:
            self.stdout.write(f"提示：{notice}")
        if result.unknown_headers:
            self.stdout.write("未识别的表头（已忽略，可用 --map \"表头=字段\" 指定）：" + "、".join(result.unknown_headers))
        for error in result.errors:
            self.stderr.write(f"错误：{error}")
        summary = (f"{spec.title}：新增{result.added}条，更新{result.updated}条，未变{result.unchanged}条，"
                   f"已存在跳过{result.skipped}条，错误{len(result.errors)}处，用时{time.monotonic() - started:.1f}秒。")
        if result.errors:
            raise CommandError(summary + "有错误，未导入任何记录。")
        if dry_run:
            self.stdout.write("预览（未写入）：" + summary)
            return
        self.stdout.write("已导入：" + summary)
        if result.added + result.updated == 0:
            sys.stdout.flush()
            raise CommandError("没有新增或更新任何记录。")
