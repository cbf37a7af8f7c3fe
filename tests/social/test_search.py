"""People search: names in any script and case, usernames, ids, blocks, paging, bad input."""

import pytest
from django.urls import reverse

from accounts.services import block_create
from social.selectors import search_people
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(db):
    return UserFactory(first_name="Анна", last_name="Ёлкина", username="anna_p")


def found(viewer, query):
    return {p.pk for p in search_people(viewer, query)}


@pytest.mark.parametrize("query", ["анна", "АННА", "Анна", "аНнА", "елкина", "ЁЛКИНА", "ёлк"])
def test_cyrillic_names_match_in_any_case(user, anna, query):
    """Cyrillic names are found whatever the case, and ё matches е."""
    assert found(user, query) == {anna.pk}


def test_first_and_last_name_in_either_order(user, anna):
    """Several words must all match, in any order."""
    assert found(user, "ёлкина анна") == {anna.pk}
    assert found(user, "анна петрова") == set()


def test_username_and_numeric_id(user, anna):
    """A username fragment or a user's numeric id finds them."""
    assert found(user, "ANNA_P") == {anna.pk}
    assert found(user, str(anna.pk)) == {anna.pk}


def test_like_wildcards_are_literal(user, anna):
    """% and _ in a query are plain characters, not wildcards."""
    UserFactory(username="annaxp")
    assert found(user, "anna_") == {anna.pk}
    assert found(user, "%") == set()


def test_blocked_people_never_find_each_other(user, anna):
    """After a block neither side finds the other, by name or by id."""
    block_create(blocker=anna, blocked=user)
    assert found(user, "анна") == set()
    assert found(user, str(anna.pk)) == set()
    assert found(anna, user.username) == set()


def test_search_page_lists_people_with_buttons(user_client, anna):
    """The search page shows matches with an "Add friend" button."""
    response = user_client.get(reverse("social:search"), {"q": "анна"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Анна Ёлкина" in html
    assert "Add friend" in html


def test_search_page_is_paginated(user_client):
    """Results come 20 to a page with page links that keep the query."""
    for n in range(25):
        UserFactory(first_name="Пётр", username=f"petr{n}")
    first = user_client.get(reverse("social:search"), {"q": "петр"})
    assert len(first.context["people"]) == 20
    assert "q=%D0%BF%D0%B5%D1%82%D1%80&amp;tab=people&amp;page=2" in first.content.decode()
    second = user_client.get(reverse("social:search"), {"q": "петр", "page": "2"})
    assert len(second.context["people"]) == 5
    assert user_client.get(reverse("social:search"), {"q": "петр", "page": "x"}).status_code == 200


def test_too_long_query_is_refused_clearly(user_client):
    """A query over 100 characters gets a 400 with an explanation."""
    response = user_client.get(reverse("social:search"), {"q": "я" * 101})
    assert response.status_code == 400
    assert "too long" in response.content.decode()


def test_hostile_query_is_escaped(user_client):
    """Markup in the query is shown as text, never executed."""
    response = user_client.get(reverse("social:search"), {"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


def test_search_needs_login(client):
    """An anonymous visitor cannot search people."""
    response = client.get(reverse("social:search"), {"q": "a"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("query", ["\x00", "ann\x00a", "٣", "9" * 30, "²"])
def test_odd_queries_are_harmless(user_client, query):
    """NUL bytes, non-ASCII digits and huge numbers are answered normally, never with an error."""
    response = user_client.get(reverse("social:search"), {"q": query})
    assert response.status_code == 200


def test_unverified_accounts_are_not_found(user_client, user, anna):
    """An account that never confirmed its email is found neither by name nor by id, on the
    page or through the selector; once confirmed it is."""
    from allauth.account.models import EmailAddress

    ghost = UserFactory(
        first_name="Анна", last_name="Призрак", username="anna_ghost", verified=False
    )
    assert found(user, "анна") == {anna.pk}
    assert found(user, str(ghost.pk)) == set()
    html = user_client.get(reverse("social:search"), {"q": "анна"}).content.decode()
    assert "Ёлкина" in html and "Призрак" not in html
    EmailAddress.objects.create(user=ghost, email=ghost.email, primary=True, verified=True)
    assert found(user, "анна") == {anna.pk, ghost.pk}
