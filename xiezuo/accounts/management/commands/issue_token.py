import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiezuo.accounts.models import TOKEN_DAYS, APIToken, User
from xiezuo.audit.context import acting_as


class Command(BaseCommand):
    help = "Issue an API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="")
        parser.add_argument("--days", type=int, default=TOKEN_DAYS, help=f"days until it expires (default {TOKEN_DAYS})")

    def handle(self, username, name, days, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在")
        if days < 1:
            raise CommandError("有效天数须至少为1天")
        expires = timezone.now() + datetime.timedelta(days=days)
        try:
            with acting_as(username="issue_token"):
                raw = APIToken.issue(user, name=name, expires=expires)
        except ValidationError as e:
            raise CommandError(e.messages[0]) from None
        # The token alone goes to stdout so that scripts can capture it
        # (TOKEN=$(manage.py issue_token …)); the expiry is for the operator.
        self.stdout.write(raw)
        self.stderr.write(f"有效期至 {timezone.localtime(expires):%Y-%m-%d %H:%M}")
