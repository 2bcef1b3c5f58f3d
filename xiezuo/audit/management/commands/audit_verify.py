from django.core.management.base import BaseCommand, CommandError

from xiezuo.audit.models import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit non-zero at the first broken event."

    def handle(self, *args, **options):
        count, broken, reason = verify_chain()
        if reason:
            where = f"第{broken.seq}条事件（id={broken.pk}）" if broken else "链尾"
            raise CommandError(f"审计链已被破坏：{where}：{reason}。此前{count}条完好。")
        self.stdout.write(f"审计链完整：共{count}条事件。")
