from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xiezuo.accounts.models import ROLES, Membership, User, temporary_password
from xiezuo.audit.context import acting_as
from xiezuo.pairings.models import Organisation, Pairing


class Command(BaseCommand):
    help = ("Give a user a role on a pairing; with --create make the account first "
            "(its temporary password is printed once and must be changed at the first login).")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--pairing", required=True, help="pairing id")
        # Checked in handle, not by argparse choices, so the error is in Chinese.
        parser.add_argument("--role", required=True, help=", ".join(r for r, _ in ROLES))
        parser.add_argument("--organisation", help="organisation id (implementing units)")
        parser.add_argument("--create", action="store_true", help="create the account")
        parser.add_argument("--name", default="", help="姓名 of a new account")

    def handle(self, username, pairing, role, organisation, create, name, **options):
        pairing = self._find(Pairing, pairing, "结对")
        org = self._find(Organisation, organisation, "单位") if organisation else None
        if role not in dict(ROLES):
            choices = "、".join(f"{r}（{label}）" for r, label in ROLES)
            raise CommandError(f"角色“{role}”不存在，可选：{choices}")
        user = User.objects.filter(username=username).first()
        if create and user is not None:
            raise CommandError(f"用户“{username}”已存在，不要加 --create")
        if not create and user is None:
            raise CommandError(f"用户“{username}”不存在（新建账户请加 --create --name 姓名）")
        if create and not name.strip():
            raise CommandError("新建账户须用 --name 给出姓名")
        password = temporary_password() if create else None
        try:
            with acting_as(username="add_member"), transaction.atomic():
                if create:
                    user = User.objects.create_account(username, name.strip(), password)
                member = Membership.grant(user, pairing, role, org)
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from None
        self.stdout.write(f"已授予{user}（{user.username}）{member.get_role_display()}角色：{pairing}")
        if password:
            self.stdout.write(f"临时密码（只显示这一次，首次登录须修改）：{password}")

    @staticmethod
    def _find(model, pk, what):
        try:
            return model.objects.get(pk=int(pk))
        except (ValueError, model.DoesNotExist):
            raise CommandError(f"{what}“{pk}”不存在") from None
