"""/api/v1/ people operations: me, profiles, search, blocks — each allowed and denied."""

import pytest

from accounts.models import Block, User
from accounts.services import block_create
from tests.api.conftest import usernames
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def all_pages(api, path: str, **params) -> list[list[str]]:
    """Follow `next` cursors to the end; the usernames of each page."""
    pages, cursor = [], None
    while True:
        response = api.get(path, **params, **({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([item.get("username") or item["user"]["username"] for item in body["items"]])
        cursor = body["next"]
        if cursor is None:
            return pages


# -- /me ----------------------------------------------------------------------------------
def test_me_shows_my_private_fields(api_as):
    """GET /me returns the account with email and birth date fields."""
    me = UserFactory(first_name="Ada", last_name="King", birth_year=1990)
    body = api_as(me).get("/api/v1/me").json()
    assert body["username"] == me.username
    assert body["email"] == me.email
    assert body["display_name"] == "Ada King"
    assert body["birth_year"] == 1990


def test_me_anonymous_is_401(anon_api):
    """GET /me without credentials is refused."""
    assert anon_api.get("/api/v1/me").status_code == 401


def test_patch_me_changes_only_the_given_fields(api_as, user):
    """PATCH /me stores the sent fields and leaves the others alone."""
    first_name = user.first_name
    response = api_as(user).patch(
        "/api/v1/me", {"bio": "Пишу код", "birth_day": 9, "birth_month": 5, "gender": "f"}
    )
    assert response.status_code == 200
    assert response.json()["bio"] == "Пишу код"
    stored = User.objects.get(pk=user.pk)
    assert (stored.bio, stored.birth_day, stored.birth_month, stored.gender) == (
        "Пишу код",
        9,
        5,
        "f",
    )
    assert stored.first_name == first_name


def test_patch_me_can_clear_the_birth_date(api_as):
    """null clears an optional field."""
    me = UserFactory(birth_day=3, birth_month=4, birth_year=2000)
    assert api_as(me).patch("/api/v1/me", {"birth_year": None}).status_code == 200
    assert User.objects.get(pk=me.pk).birth_year is None


def test_patch_me_anonymous_is_401_and_changes_nothing(anon_api, user):
    """PATCH /me without credentials is refused."""
    assert anon_api.patch("/api/v1/me", {"bio": "x"}).status_code == 401
    assert User.objects.get(pk=user.pk).bio == ""


@pytest.mark.parametrize(
    "changes",
    [
        {"birth_day": 31, "birth_month": 2},
        {"birth_day": 29, "birth_month": 2, "birth_year": 2023},
        {"birth_year": 2999},
        {"birth_day": 1, "birth_month": 1, "birth_year": 2999},
        {"birth_day": 12},
        {"birth_month": 6, "birth_year": 1990},
    ],
    ids=repr,
)
def test_patch_me_refuses_a_birth_date_the_profile_page_refuses(api_as, client, changes):
    """PATCH /me applies the profile service's rules: an impossible or future birth date, or a
    day without a month, is a 400 naming the birth date, nothing changes, and the profile pages
    keep working."""
    me = UserFactory(birth_day=None, birth_month=None, birth_year=None)
    api = api_as(me)
    before = User.objects.values().get(pk=me.pk)
    response = api.patch("/api/v1/me", changes)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) & {"birth_day", "birth_month", "birth_year"}
    assert User.objects.values().get(pk=me.pk) == before
    client.force_login(me)
    assert client.get(f"/u/{me.username}/").status_code == 200
    assert client.get("/settings/profile/").status_code == 200


def test_patch_me_keeps_the_stored_birth_date_parts_it_does_not_send(api_as):
    """Changing only the year checks it together with the stored day and month."""
    me = UserFactory(birth_day=29, birth_month=2, birth_year=2000)
    assert api_as(me).patch("/api/v1/me", {"birth_year": 2001}).status_code == 400
    assert api_as(me).patch("/api/v1/me", {"birth_year": 1996}).status_code == 200
    assert User.objects.values_list("birth_day", "birth_month", "birth_year").get(pk=me.pk) == (
        29,
        2,
        1996,
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"username": "renamed"},
        {"email": "other@example.org"},
        {"is_staff": True},
        {"first_name": None},
        {"gender": "x"},
        {"birth_month": 13},
        {"birth_day": True},
    ],
    ids=repr,
)
def test_patch_me_refuses_fields_it_does_not_own(api_as, user, changes):
    """Username, email, flags and out-of-range values cannot be set through PATCH /me."""
    api = api_as(user)
    before = User.objects.values().get(pk=user.pk)
    response = api.patch("/api/v1/me", changes)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == set(changes)
    assert User.objects.values().get(pk=user.pk) == before


# -- /users/{username} ----------------------------------------------------------------------
def test_profile_of_a_stranger_is_public_fields_only(api_as, user):
    """Anyone signed in sees a person's public profile, without their email."""
    person = UserFactory(first_name="Борис", bio="Привет")
    body = api_as(user).get(f"/api/v1/users/{person.username}").json()
    assert body["display_name"] == person.display_name
    assert body["bio"] == "Привет"
    assert "email" not in body and "birth_year" not in body


def test_profile_anonymous_is_401(anon_api, other_user):
    """Profiles need a signed-in viewer."""
    assert anon_api.get(f"/api/v1/users/{other_user.username}").status_code == 401


@pytest.mark.parametrize("case", ["they_blocked_me", "i_blocked_them", "inactive", "missing"])
def test_profile_hidden_cases_are_404(api_as, user, case):
    """Blocked (either way), deactivated and missing users are all a plain 404."""
    person = UserFactory(is_active=case != "inactive")
    if case == "they_blocked_me":
        block_create(blocker=person, blocked=user)
    elif case == "i_blocked_them":
        block_create(blocker=user, blocked=person)
    username = "nobody-here" if case == "missing" else person.username
    response = api_as(user).get(f"/api/v1/users/{username}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# -- /users?q= ------------------------------------------------------------------------------
def test_search_is_case_insensitive_in_cyrillic_and_latin(api_as, user):
    """Searching "иван" or "ИВАН" finds Иван; "ada" finds Ada; unrelated people are not found."""
    ivan = UserFactory(first_name="Иван", last_name="Петров")
    ada = UserFactory(first_name="Ada", last_name="Lovelace")
    UserFactory(first_name="Пётр", last_name="Смирнов")
    api = api_as(user)
    assert usernames(api.get("/api/v1/users", q="иван")) == [ivan.username]
    assert usernames(api.get("/api/v1/users", q="ИВАН")) == [ivan.username]
    assert usernames(api.get("/api/v1/users", q="ada")) == [ada.username]
    assert usernames(api.get("/api/v1/users", q="иван петров")) == [ivan.username]
    assert usernames(api.get("/api/v1/users", q="иван смирнов")) == []


def test_search_finds_by_username(api_as, user):
    """The username matches too."""
    person = UserFactory(username="night_owl", first_name="", last_name="")
    assert usernames(api_as(user).get("/api/v1/users", q="OWL")) == [person.username]


def test_search_hides_blocked_inactive_and_myself(api_as):
    """Neither side of a block finds the other; deactivated users and the viewer are left out."""
    me = UserFactory(first_name="Мария")
    blocked = UserFactory(first_name="Мария")
    blocker = UserFactory(first_name="Мария")
    UserFactory(first_name="Мария", is_active=False)
    visible = UserFactory(first_name="Мария")
    block_create(blocker=me, blocked=blocked)
    block_create(blocker=blocker, blocked=me)
    assert usernames(api_as(me).get("/api/v1/users", q="мария")) == [visible.username]
    assert me.username in usernames(api_as(visible).get("/api/v1/users", q="мария"))
    assert visible.username not in usernames(api_as(visible).get("/api/v1/users", q="xyz"))


def test_search_pages_with_a_cursor(api_as, user):
    """Results come in pages of `limit`; `next` leads through all of them exactly once."""
    people = [UserFactory(last_name="Смит") for _ in range(5)]
    pages = all_pages(api_as(user), "/api/v1/users", q="смит", limit=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [name for page in pages for name in page] == [person.username for person in people]


def test_search_finds_a_person_by_numeric_id(api_as, user):
    """A number finds the person with that id (unless a block hides them)."""
    # No digits in the name: a generated "user1339" would also match q="3" as a name.
    person, hidden = UserFactory(first_name="Ida", username="ida_k"), UserFactory()
    block_create(blocker=hidden, blocked=user)
    api = api_as(user)
    assert usernames(api.get("/api/v1/users", q=str(person.pk))) == [person.username]
    assert usernames(api.get("/api/v1/users", q=str(hidden.pk))) == []


def test_search_reads_yo_as_ye(api_as, user):
    """ "Ёлкина" is found by "елкина" and the other way round, as on the search page."""
    person = UserFactory(first_name="Анна", last_name="Ёлкина")
    other = UserFactory(first_name="Пётр", last_name="Елкин")
    api = api_as(user)
    assert usernames(api.get("/api/v1/users", q="елкина")) == [person.username]
    assert usernames(api.get("/api/v1/users", q="ёлкин")) == [person.username, other.username]


@pytest.mark.parametrize("q", ["я" * 101, "   "], ids=["too long", "blank"])
def test_search_with_a_useless_query(api_as, user, q):
    """An over-long query is a 400 naming `q`; a blank one finds nobody."""
    UserFactory(first_name="Я")
    response = api_as(user).get("/api/v1/users", q=q)
    if q.strip():
        assert response.status_code == 400
        assert set(response.json()["fields"]) == {"q"}
    else:
        assert usernames(response) == []


def test_search_anonymous_is_401(anon_api):
    """Search needs a signed-in viewer."""
    assert anon_api.get("/api/v1/users", q="a").status_code == 401


@pytest.mark.parametrize("count", [3, 30])
def test_search_query_count_does_not_grow(api_as, user, count, django_assert_max_num_queries):
    """A search page costs the same few queries however many people match."""
    for _ in range(count):
        UserFactory(last_name="Query")
    api = api_as(user)
    with django_assert_max_num_queries(4):
        assert len(usernames(api.get("/api/v1/users", q="query", limit=50))) == count


# -- /blocks ------------------------------------------------------------------------------
def test_blocks_lists_only_the_people_i_blocked(api_as, user):
    """GET /blocks shows my blocks, newest first, not blocks others made (even of me)."""
    first, second = UserFactory(), UserFactory()
    block_create(blocker=user, blocked=first)
    block_create(blocker=user, blocked=second)
    block_create(blocker=UserFactory(), blocked=user)
    block_create(blocker=first, blocked=UserFactory())
    response = api_as(user).get("/api/v1/blocks")
    assert [item["user"]["username"] for item in response.json()["items"]] == [
        second.username,
        first.username,
    ]
    assert response.json()["items"][0]["created_at"]


def test_blocks_pages_with_a_cursor(api_as, user):
    """The block list pages like every list."""
    for _ in range(3):
        block_create(blocker=user, blocked=UserFactory())
    assert [len(page) for page in all_pages(api_as(user), "/api/v1/blocks", limit=2)] == [2, 1]


def test_blocks_anonymous_is_401(anon_api):
    """The block list needs a signed-in viewer."""
    assert anon_api.get("/api/v1/blocks").status_code == 401


def test_block_hides_both_people_from_each_other(api_as, user, other_user):
    """POST /blocks creates the block; afterwards neither sees the other's profile."""
    response = api_as(user).post("/api/v1/blocks", {"username": other_user.username})
    assert response.status_code == 201
    assert response.json()["user"]["username"] == other_user.username
    assert Block.objects.filter(blocker=user, blocked=other_user).exists()
    assert api_as(user).get(f"/api/v1/users/{other_user.username}").status_code == 404
    assert api_as(other_user).get(f"/api/v1/users/{user.username}").status_code == 404


@pytest.mark.parametrize("case", ["anonymous", "missing", "myself", "they_blocked_me", "inactive"])
def test_block_denied_cases_create_nothing(api_as, anon_api, user, case):
    """Blocking without login, a missing, hidden or deactivated person, or oneself fails."""
    person = UserFactory(is_active=case != "inactive")
    if case == "they_blocked_me":
        block_create(blocker=person, blocked=user)
    username = {"missing": "nobody-here", "myself": user.username}.get(case, person.username)
    api = anon_api if case == "anonymous" else api_as(user)
    expected = {"anonymous": 401, "myself": 400}.get(case, 404)
    assert api.post("/api/v1/blocks", {"username": username}).status_code == expected
    assert not Block.objects.filter(blocker=user).exists()


def test_unblock_makes_the_person_visible_again(api_as, user, other_user):
    """DELETE /blocks/{username} removes my block."""
    block_create(blocker=user, blocked=other_user)
    api = api_as(user)
    assert api.delete(f"/api/v1/blocks/{other_user.username}").status_code == 204
    assert not Block.objects.exists()
    assert api.get(f"/api/v1/users/{other_user.username}").status_code == 200


@pytest.mark.parametrize("case", ["anonymous", "not_blocked", "they_blocked_me", "someone_elses"])
def test_unblock_denied_cases_change_nothing(api_as, anon_api, user, case):
    """Nobody can remove a block that is not theirs (or without logging in)."""
    mine, blocker, stranger, victim = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    block_create(blocker=user, blocked=mine)
    block_create(blocker=blocker, blocked=user)
    block_create(blocker=stranger, blocked=victim)
    target = {
        "anonymous": mine,
        "not_blocked": UserFactory(),
        "they_blocked_me": blocker,
        "someone_elses": victim,
    }[case]
    api = anon_api if case == "anonymous" else api_as(user)
    blocks_before = set(Block.objects.values_list("blocker", "blocked"))
    response = api.delete(f"/api/v1/blocks/{target.username}")
    assert response.status_code == (401 if case == "anonymous" else 404)
    assert set(Block.objects.values_list("blocker", "blocked")) == blocks_before
