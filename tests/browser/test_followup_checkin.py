"""Visit check-in: on the follow-up form, "use my current location" fills latitude and longitude from the
device, and the follow-up is saved with them."""

import pytest

from customers.models import FollowUp
from customers.tests.followup_world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_current_location_fills_the_check_in(live_server, page, login):
    world = build_world()
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 31.230416, "longitude": 121.473701})
    login(world.seller)
    page.goto(f"/customers/followup/new/?customer={world.mine.pk}")
    page.locator("#id_method").select_option(str(world.visit.pk))
    page.locator("#id_content").fill("上门拜访，现场签到")
    page.locator("#id_location").fill("上海市黄浦区")
    page.get_by_test_id("locate").click()
    page.wait_for_function("document.getElementById('id_latitude').value !== ''")
    assert page.locator("#id_longitude").input_value() == "121.473701"
    page.screenshot(path="test-results/followup-check-in.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    saved = FollowUp.objects.get(customer=world.mine)
    assert (str(saved.latitude), str(saved.longitude)) == ("31.230416", "121.473701")
    assert saved.location == "上海市黄浦区"
