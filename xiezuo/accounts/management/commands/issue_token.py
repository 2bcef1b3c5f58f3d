from django.core.management.base import BaseCommand, CommandError

from xiezuo.accounts.models import APIToken, User
from xiezuo.audit.context import acting_as


class Command(BaseCommand):
    help = "Issue an API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="")

    def handle(self, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在")
        with acting_as(username="issue_token"):
            raw = APIToken.issue(user, name=name)
        self.stdout.write(raw)
