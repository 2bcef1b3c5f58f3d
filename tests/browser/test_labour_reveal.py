"""Labour module, in a real browser: the west office presses 显示完整号码 (htmx under the
strict CSP) and sees the number, which leaves a view_pii event; the east
office has no such button."""

import pytest

from xiezuo.audit.models import AuditEvent
from xiezuo.labour.models import Person

pytestmark = pytest.mark.browser


def test_west_office_reveals_a_number_in_place_and_it_is_audited(journey):
    person = Person.objects.get(name="示例学员007")
    raw = person.reveal_id_number()
    journey.login("huangyuan")
    page = journey.go(f"/labour/people/{person.pk}/")
    assert page.locator("#id-number").inner_text() == person.id_number_masked
    assert raw not in page.content()
    journey.shot("masked")
    page.click("text=显示完整号码")
    page.wait_for_selector("#pii-id-number")
    assert page.locator("#pii-id-number").inner_text() == raw
    assert page.url.endswith(f"/labour/people/{person.pk}/")  # swapped in place, no navigation
    journey.shot("revealed")
    event = AuditEvent.objects.filter(action="view_pii", object_id=str(person.pk)).get()
    assert event.actor_name == "huangyuan"


def test_east_office_sees_only_masked_numbers(journey):
    person = Person.objects.get(name="示例学员007")
    journey.login("liuhe")
    page = journey.go(f"/labour/people/{person.pk}/")
    assert page.locator("text=显示完整号码").count() == 0
    assert person.reveal_id_number() not in page.content()
    journey.go(f"/pairings/{person.pairing_id}/labour/classes/")
    page.click("text=东西部协作劳动技术培训班（第一期）")
    assert page.locator("#roster-count").inner_text() == "50"
    journey.shot("roster-masked")
