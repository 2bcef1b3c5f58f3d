from django.core.management.base import BaseCommand, CommandError

from xiezuo.audit.context import acting_as
from xiezuo.ledgers.services import command_user, context_for
from xiezuo.ledgers.spec import all_specs, get_spec
from xiezuo.ledgers.writing import write_ledger


class Command(BaseCommand):
    help = "Export a ledger of a pairing as .xlsx in the import layout (or its empty template)."

    def add_arguments(self, parser):
        parser.add_argument("ledger", choices=sorted(all_specs()))
        parser.add_argument("--pairing", type=int, required=True)
        parser.add_argument("--out", required=True)
        parser.add_argument("--template", action="store_true", help="write the empty template instead")
        parser.add_argument("--user", help="act as this user (default: the system actor system-import)")

    def handle(self, *args, ledger, pairing, out, template, user, **options):
        spec = get_spec(ledger)
        try:
            actor = command_user(user)
            ctx = context_for(actor, pairing, "read")
        except ValueError as e:
            raise CommandError(str(e)) from None
        with acting_as(actor, username=actor.username):
            n = write_ledger(spec, ctx, out, template=template)
        self.stdout.write(f"已导出{spec.title}：{n}条记录 → {out}")
