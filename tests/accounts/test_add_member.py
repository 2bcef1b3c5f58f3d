"""manage.py add_member: roles and accounts from scripts, named in the
audit trail as the command."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xiezuo.accounts.models import Membership
from xiezuo.pairings.models import Organisation

from .conftest import assert_no_secret, one_event, user

pytestmark = pytest.mark.django_db


def add_member(*args):
    out = StringIO()
    call_command("add_member", *args, stdout=out)
    return out.getvalue()


def test_gives_an_existing_user_a_role(county, new_events):
    township = county.children.order_by("pk").first()
    out = add_member("lingdao", "--pairing", str(township.pk), "--role", "leader")
    assert "已授予" in out and Membership.objects.filter(user__username="lingdao", pairing=township).exists()
    one_event(new_events, "add_member", action="create", model="accounts.Membership", pairing_id=township.pk)


def test_creates_an_account_with_a_temporary_password(county, new_events):
    hospital = Organisation.objects.get(name="湟源县人民医院")
    out = add_member("zhaolei", "--pairing", str(county.pk), "--role", "unit", "--organisation", str(hospital.pk),
                     "--create", "--name", "赵磊")
    password = out.split("首次登录须修改）：")[1].strip()
    new = user("zhaolei")
    assert new.display_name == "赵磊" and new.must_change_password and new.check_password(password)
    assert new.memberships.get().organisation == hospital
    events = new_events()
    assert [(e.model, e.actor_name) for e in events] == [("accounts.User", "add_member"),
                                                        ("accounts.Membership", "add_member")]
    for event in events:
        assert_no_secret(event, password, new.password)


@pytest.mark.parametrize("args, message", [
    (["nobody", "--role", "leader"], "用户“nobody”不存在（新建账户请加 --create --name 姓名）"),
    (["lingdao", "--role", "boss"], "角色“boss”不存在，可选：east（东部协作办）"),
    (["lingdao", "--role", "unit"], "实施单位角色须指定所属单位"),
    (["liuhe", "--role", "east"], "该用户在此结对已有此角色"),
    (["lingdao", "--role", "leader", "--create", "--name", "某"], "用户“lingdao”已存在，不要加 --create"),
    (["newbie", "--role", "leader", "--create"], "新建账户须用 --name 给出姓名"),
])
def test_errors_in_chinese(county, args, message, new_events):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        add_member(*args, "--pairing", str(county.pk))
    assert new_events() == []


@pytest.mark.parametrize("pairing", ["999999", "abc"])
def test_unknown_pairing(pairing, new_events):
    with pytest.raises(CommandError, match=f"结对“{pairing}”不存在"):
        add_member("lingdao", "--pairing", pairing, "--role", "leader")
    assert new_events() == []


def test_unknown_organisation(county):
    with pytest.raises(CommandError, match="单位“999999”不存在"):
        add_member("lingdao", "--pairing", str(county.pk), "--role", "unit", "--organisation", "999999")
