"""xiezuo/accounts/scope.py asked directly, with the demo's cast: who reads,
writes and manages what, and what a refusal says (the 404/403 pages show
these reasons)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from xiezuo.accounts.models import ALL_PERMISSIONS, Membership, User
from xiezuo.accounts.scope import Scope, get_pairing, scope_for, unit_paths
from xiezuo.consumption.models import Buyer
from xiezuo.funds.models import Disbursement, FundReceipt, Project
from xiezuo.labour.models import TalentExchange
from xiezuo.pairings.models import Organisation, Pairing, Region

pytestmark = pytest.mark.django_db


def subtree(pairing):
    return set(Pairing.objects.filter(path__startswith=pairing.path).values_list("pk", flat=True))


def fresh(user):
    return Scope(User.objects.get(pk=user.pk))


def hospital():
    return Organisation.objects.get(name="湟源县人民医院")


def test_nobody_and_an_inactive_superuser_see_nothing(users):
    for who in (None, AnonymousUser()):
        s = Scope(who)
        assert not s.is_global and s.pairing_ids() == set() and not s.has_any("read")
        assert Scope(who).unit_orgs(1) == set()
    admin = users["admin"]
    assert Scope(admin).is_global
    admin.is_active = False
    s = Scope(admin)
    assert not s.is_global and s.pairing_ids("read") == set() and not s.may_manage_accounts()


def test_a_superuser_holds_every_permission_everywhere(users):
    s = scope_for(users["admin"])
    everything = set(Pairing.objects.values_list("pk", flat=True))
    for perm in ALL_PERMISSIONS:
        assert s.pairing_ids(perm) == everything
    assert set(s.pairings("admin")) == set(Pairing.objects.all())
    assert Scope(users["admin"]).unit_orgs(everything.pop()) == set()


def test_an_administrator_membership_reaches_every_pairing(foreign):
    user = User.objects.create(username="scope-admin-role")
    Membership.objects.create(user=user, pairing=foreign, role="admin")
    s = Scope(user)
    assert not s.is_global
    assert s.pairing_ids("admin") == set(Pairing.objects.values_list("pk", flat=True))
    assert s.has_any("admin") and s.may_manage_accounts()
    assert set(s.accounts()) == set(User.objects.all())


def test_a_membership_covers_its_subtree_only(county, foreign, sibling, users):
    east = scope_for(users["liuhe"])
    assert east.pairing_ids() == subtree(county) and sibling.pk in east.pairing_ids()
    assert east.pairing_ids("write") == subtree(county) and east.pairing_ids("west") == set()
    assert set(east.pairings("east")) == set(Pairing.objects.filter(pk__in=subtree(county)))
    assert east.has(county) and east.has(county.pk, "east") and not east.has(county, "pii")
    assert not east.has(foreign) and not east.has(foreign.pk, "read")
    low = scope_for(users["sibling"])
    assert low.pairing_ids() == subtree(sibling) and not low.has(county)
    assert low.has_any("pii") and not low.has_any("east")


def test_unit_users_act_for_their_organisation(county, foreign, users):
    unit = fresh(users["yiyuan"])
    assert unit.unit_orgs(county) == {hospital().pk} == unit.unit_orgs(county.pk)
    assert unit.unit_orgs(foreign) == set()
    assert fresh(users["liuhe"]).unit_orgs(county) == set()
    # A unit membership without an organisation is allowed in the data
    # (checked by the form, not the table): it acts for no organisation.
    bare = User.objects.create(username="scope-bare-unit")
    Membership.objects.bulk_create([Membership(user=bare, pairing=county, role="unit")])
    assert Scope(bare).unit_orgs(county) == set() and Scope(bare).has(county, "unit")


def test_may_read_a_record_of_a_unit_only_pairing_through_its_own_units(county, foreign, users):
    unit = fresh(users["yiyuan"])
    other = Organisation.objects.exclude(pk=hospital().pk).first()
    assert unit.may_read(county.pk, [hospital().pk])
    assert unit.may_read(county.pk, [None, hospital().pk])
    assert not unit.may_read(county.pk, [other.pk])
    assert not unit.may_read(county.pk, [None])
    assert not unit.may_read(county.pk)
    assert not unit.may_read(foreign.pk, [hospital().pk])
    east = fresh(users["liuhe"])
    assert east.may_read(county.pk) and east.may_read(county.pk, [other.pk]) and not east.may_read(foreign.pk)
    # A unit membership beside a full one: the full one decides.
    Membership.objects.create(user=users["yiyuan"], pairing=county, role="leader")
    both = fresh(users["yiyuan"])
    assert both.may_read(county.pk) and both.may_read(county.pk, [other.pk])


def test_require_hides_foreign_pairings_and_refuses_missing_permissions(county, foreign, users):
    leader = scope_for(users["lingdao"])
    assert leader.require(county) is county and leader.require(county.pk) == county.pk
    with pytest.raises(Http404, match="^结对不存在或无权访问$"):
        leader.require(foreign)
    with pytest.raises(Http404, match="^结对不存在或无权访问$"):
        leader.require(foreign, "write")
    with pytest.raises(PermissionDenied, match="^您的角色无权执行此操作$"):
        leader.require(county, "write")


def test_get_pairing(county, foreign, users):
    got = get_pairing(users["liuhe"], str(county.pk), "write")
    assert got == county and got.east_region.name == "六合区"
    assert get_pairing(users["lingdao"], county.pk) == county
    for bad in ("x", None, "1.5"):
        with pytest.raises(Http404, match="^结对不存在$"):
            get_pairing(users["liuhe"], bad)
    with pytest.raises(Http404, match="^结对不存在或无权访问$"):
        get_pairing(users["liuhe"], foreign.pk)
    with pytest.raises(PermissionDenied):
        get_pairing(users["lingdao"], county.pk, "write")


def test_managers_grant_only_what_they_hold(county, foreign, sibling, users):
    east, west = scope_for(users["liuhe"]), scope_for(users["huangyuan"])
    assert east.grantable_roles(county) == ["east", "unit", "leader"]
    assert west.grantable_roles(county.pk) == ["west", "unit", "leader"]
    assert east.may_grant(county, "unit") and not east.may_grant(county, "west")
    assert not east.may_grant(county, "admin") and not east.may_grant(county, "auditor")
    assert east.grantable_roles(foreign) == [] and not east.may_grant(foreign, "leader")
    # Reading is not managing: no "members", no role at all.
    assert scope_for(users["lingdao"]).grantable_roles(county) == []
    assert scope_for(users["shenji"]).grantable_roles(county) == []
    everything = ["east", "west", "unit", "leader", "auditor", "admin"]
    assert scope_for(users["admin"]).grantable_roles(sibling) == everything
    assert scope_for(users["liuhe"]).may_manage_accounts() and not scope_for(users["lingdao"]).may_manage_accounts()
    assert scope_for(users["admin"]).may_manage_accounts()


def test_accounts_reached(county, users):
    east = scope_for(users["liuhe"])
    reached = set(east.accounts())
    assert {users[n] for n in ("liuhe", "huangyuan", "yiyuan", "lingdao", "shenji", "sibling")} <= reached
    assert users["outsider"] not in reached and users["admin"] not in reached
    assert len(east.accounts()) == len(reached)  # each once, though several roles reach them
    leader = scope_for(users["lingdao"])
    assert list(leader.accounts()) == []
    assert users["liuhe"] in set(leader.accounts("read"))
    assert set(scope_for(users["admin"]).accounts()) == set(User.objects.all())


def test_require_account(county, users):
    east = scope_for(users["liuhe"])
    assert east.require_account(users["lingdao"]) == users["lingdao"]
    assert scope_for(users["admin"]).require_account(users["outsider"]) == users["outsider"]
    with pytest.raises(Http404, match="^账户不存在或无权访问$"):
        east.require_account(users["outsider"])
    with pytest.raises(PermissionDenied, match="^该账户在您管辖范围外另有角色，或其角色超出您的权限，请由管理员办理$"):
        east.require_account(users["huangyuan"])
    with pytest.raises(PermissionDenied, match="^该账户在您管辖范围外另有角色"):
        east.require_account(users["sibling"])
    boss = User.objects.create(username="scope-superuser", is_superuser=True)
    Membership.objects.create(user=boss, pairing=county, role="leader")
    with pytest.raises(PermissionDenied, match="^该账户只能由管理员管理$"):
        east.require_account(boss)
    # An administrator membership manages an account without any role.
    admin_role = User.objects.create(username="scope-admin-role-2")
    Membership.objects.create(user=admin_role, pairing=county, role="admin")
    nobody = User.objects.create(username="scope-no-role")
    assert Scope(admin_role).require_account(nobody) == nobody
    with pytest.raises(PermissionDenied, match="^该账户只能由管理员管理$"):
        Scope(admin_role).require_account(boss)


def test_get_fetches_one_record_in_scope(county, foreign, users):
    project = Project.objects.filter(pairing=county, implementing_unit=hospital()).first()
    other = Project.objects.filter(pairing__in=subtree(county)).exclude(implementing_unit=hospital()).first()
    assert project and other
    east = scope_for(users["liuhe"])
    assert east.get(Project.objects.all(), str(project.pk), "write") == project
    assert east.get(Project.objects.all(), other.pk) == other
    unit = scope_for(users["yiyuan"])
    assert unit.get(Project.objects.all(), project.pk) == project
    with pytest.raises(Http404, match="^记录不存在或无权访问$"):
        unit.get(Project.objects.all(), other.pk)
    with pytest.raises(PermissionDenied, match="^您的角色无权执行此操作$"):
        scope_for(users["lingdao"]).get(Project.objects.all(), project.pk, "write")
    with pytest.raises(Http404, match="^记录不存在或无权访问$"):
        scope_for(users["outsider"]).get(Project.objects.all(), project.pk)
    with pytest.raises(Http404, match="^记录不存在或无权访问$"):
        east.get(Project.objects.all(), 10 ** 9)
    for bad in ("abc", None, "1e3"):
        with pytest.raises(Http404, match="^记录不存在$"):
            east.get(Project.objects.all(), bad)
    # A record of a model reached through another (scope_path, unit_path).
    disbursement = Disbursement.objects.filter(project__pairing=county).first()
    assert east.get(Disbursement.objects.all(), disbursement.pk) == disbursement
    # Of a model with two unit paths, either one lets the unit read.
    exchange = TalentExchange.objects.filter(pairing__in=subtree(county)).first()
    other_unit = Organisation.objects.exclude(pk=hospital().pk).first()
    TalentExchange.objects.filter(pk=exchange.pk).update(receiving_unit=other_unit, sending_unit=hospital())
    assert unit.get(TalentExchange.objects.all(), exchange.pk).pk == exchange.pk


def test_filter_narrows_lists(county, foreign, users):
    in_county = Project.objects.filter(pairing__in=subtree(county))
    east = scope_for(users["liuhe"])
    assert set(east.filter(Project.objects.all())) == set(in_county)
    assert set(east.filter(Project.objects.all(), "write")) == set(in_county)
    assert not east.filter(Project.objects.all(), "west").exists()
    unit = scope_for(users["yiyuan"])
    own = set(in_county.filter(implementing_unit=hospital()))
    assert own and set(unit.filter(Project.objects.all())) == own != set(in_county)
    assert set(unit.filter(Disbursement.objects.all())) == set(Disbursement.objects.filter(project__in=own))
    # A model without a unit path shows a unit user nothing.
    assert FundReceipt.objects.filter(pairing=county).exists()
    assert not unit.filter(FundReceipt.objects.all()).exists()
    # A model with two unit paths: either one lets the unit read.
    exchange = TalentExchange.objects.filter(pairing__in=subtree(county)).first()
    second, third = Organisation.objects.exclude(pk=hospital().pk)[:2]
    TalentExchange.objects.filter(pk=exchange.pk).update(receiving_unit=third, sending_unit=second)
    assert exchange not in set(unit.filter(TalentExchange.objects.all()))
    other_unit = User.objects.create(username="scope-second-unit")
    Membership.objects.create(user=other_unit, pairing=county, role="unit", organisation=second)
    assert exchange in set(Scope(other_unit).filter(TalentExchange.objects.all()))
    # Two units on one pairing (one membership there, one on the pairing above).
    child = Pairing.objects.filter(parent=county).first()
    Membership.objects.create(user=other_unit, pairing=child, role="unit", organisation=hospital())
    both = Scope(other_unit)
    assert both.unit_orgs(child) == {second.pk, hospital().pk} and both.unit_orgs(county) == {second.pk}
    assert set(both.filter(Project.objects.all())) == set(
        in_county.filter(implementing_unit=second)) | set(Project.objects.filter(pairing__in=subtree(child),
                                                                                 implementing_unit=hospital()))
    assert not scope_for(users["outsider"]).filter(Project.objects.filter(pairing=county)).exists()


def test_usable_reference_rows(county, sibling, users):
    buyers = Buyer.objects.all()
    county_buyers = set(buyers.filter(pairing=county))
    assert county_buyers
    east = scope_for(users["liuhe"])
    assert set(east.usable(buyers, county)) == county_buyers
    assert county_buyers <= set(east.usable(buyers, sibling, "write"))
    assert not east.usable(buyers, county, "west").exists()
    assert not scope_for(users["yiyuan"]).usable(buyers, county).exists()
    assert not scope_for(users["outsider"]).usable(buyers, county).exists()


def test_region_q(county, foreign, users):
    assert set(Region.objects.filter(scope_for(users["admin"]).region_q(None))) == set(Region.objects.all())
    east = scope_for(users["liuhe"])
    inside = set(Region.objects.filter(east.region_q(None)))
    assert county.east_region in inside and county.west_region in inside
    elsewhere = Region.objects.exclude(path__startswith=county.west_region.path).exclude(
        path__startswith=county.east_region.path)
    assert elsewhere.exists() and not inside & set(elsewhere)
    assert inside == set(Region.objects.filter(path__startswith=county.east_region.path)) | set(
        Region.objects.filter(path__startswith=county.west_region.path))
    orgs = set(Organisation.objects.filter(east.region_q()))
    assert hospital() in orgs and all(o.region in inside for o in orgs)
    assert set(Organisation.objects.filter(east.region_q("region", lookup="region__path__startswith"))) == orgs
    assert not Region.objects.filter(scope_for(users["liuhe"]).region_q(None, perm="west")).exists()
    assert not Region.objects.filter(Scope(None).region_q(None)).exists()


def test_unit_paths_and_the_cached_scope(users):
    assert unit_paths(Project) == ("implementing_unit",)
    assert unit_paths(TalentExchange) == ("receiving_unit", "sending_unit")
    assert unit_paths(FundReceipt) == ()
    user = users["liuhe"]
    assert scope_for(user) is scope_for(user) and scope_for(user).user is user

    class Frozen:
        __slots__ = ("is_authenticated", "is_active", "is_superuser")

    frozen = Frozen()
    frozen.is_authenticated = frozen.is_active = True
    frozen.is_superuser = True
    s = scope_for(frozen)
    assert s.is_global and s is not scope_for(frozen)


def test_filter_asks_a_unit_membership_for_the_permission_and_keeps_a_full_one_beside_it(county, foreign, users):
    own = set(Project.objects.filter(pairing__in=subtree(county), implementing_unit=hospital()))
    assert own
    unit = fresh(users["yiyuan"])
    assert set(unit.filter(Project.objects.all(), "unit")) == own
    # The unit role does not hold "write": none of its projects for it.
    assert not unit.filter(Project.objects.all(), "write").exists()
    # A full membership elsewhere beside the unit one: that pairing's rows
    # whole, and the unit's own rows here.
    # The foreign pairing gets a project (a row is all the scope reads).
    template = Project.objects.filter(pairing=county).first()
    template.pk = None
    template.pairing, template.implementing_unit, template.library_entry = foreign, None, None
    Project.objects.bulk_create([template])
    abroad = set(Project.objects.filter(pairing__in=subtree(foreign)))
    assert template in abroad
    Membership.objects.create(user=users["yiyuan"], pairing=foreign, role="leader")
    both = fresh(users["yiyuan"])
    assert set(both.filter(Project.objects.all())) == own | abroad


def test_filter_refuses_a_model_that_is_not_scoped(users):
    with pytest.raises(AttributeError):
        fresh(users["liuhe"]).filter(Region.objects.all())
