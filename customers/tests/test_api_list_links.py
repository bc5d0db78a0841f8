"""The API list reads tag and collaborator ids of the whole page from the link tables: the same ids, in
the same order, as one record's answer, and nothing of a record outside the user's scope."""

import pytest
from rest_framework.authtoken.models import Token

from customers.models import Tag

from .customer_world import api, create, make_world

pytestmark = pytest.mark.django_db


def test_list_rows_carry_the_same_tags_and_collaborators_as_the_record():
    world = make_world()
    zebra, alpha, first = (Tag.objects.create(name="重点", sort=5), Tag.objects.create(name="老客户", sort=5),
                           Tag.objects.create(name="新签", sort=1))
    tagged = create(world.alice, "北京华盛电子有限公司")
    tagged.tags.set([zebra, alpha, first])
    tagged.collaborators.set([world.bob, world.manager])
    plain = create(world.alice, "上海明远贸易有限公司")
    hidden = create(world.bob, "广州南岭科技有限公司")
    hidden.tags.set([first])

    client = api(world.alice)
    rows = {row["id"]: row for row in client.get("/api/v1/customers/?page_size=50").json()["results"]}
    assert set(rows) == {tagged.pk, plain.pk}  # bob's customer stays out of alice's list
    detail = client.get(f"/api/v1/customers/{tagged.pk}/").json()
    expected_tags = [t.pk for t in Tag.objects.filter(pk__in=[zebra.pk, alpha.pk, first.pk])]  # sort, name
    assert rows[tagged.pk]["tags"] == detail["tags"] == expected_tags
    assert sorted(rows[tagged.pk]["collaborators"]) == sorted(detail["collaborators"]) == sorted(
        [world.bob.pk, world.manager.pk])
    assert rows[plain.pk]["tags"] == [] and rows[plain.pk]["collaborators"] == []


def test_an_unknown_token_is_refused_and_a_known_one_answers():
    world = make_world()
    create(world.alice, "北京华盛电子有限公司")
    client = api(world.alice)
    client.force_authenticate(None)
    assert client.get("/api/v1/customers/", HTTP_AUTHORIZATION="Token nope").status_code == 401
    key = Token.objects.create(user=world.alice).key
    response = client.get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and response.json()["count"] == 1
    world.alice.is_active = False
    world.alice.save()
    assert client.get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
