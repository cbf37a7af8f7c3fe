"""Profile pages: editing one's own profile, and what others see on /u/<username>/."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from accounts import services
from accounts.birthdays import BirthDate
from accounts.models import Block, User
from social.models import Audience, Friendship
from tests.factories import BlockFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
EDIT = reverse("accounts:profile_edit")


def profile_url(person):
    return reverse("accounts:profile", args=[person.username])


def befriend(a, b):
    Friendship.objects.create(user=a, friend=b)
    Friendship.objects.create(user=b, friend=a)


def form_data(**overrides):
    data = {
        "first_name": "Ada",
        "last_name": "King",
        "bio": "Counting engines.",
        "gender": "f",
        "birth_date_text": "",
        "birth_date_picker": "",
        "birth_date_visibility": "everyone",
    }
    data.update(overrides)
    return data


def profile_fields(person):
    person.refresh_from_db()
    return (
        person.first_name,
        person.last_name,
        person.bio,
        person.gender,
        person.birth_day,
        person.birth_month,
        person.birth_year,
        person.birth_date_visibility,
    )


# -- editing ---------------------------------------------------------------------------------
def test_edit_page_needs_login(client):
    """Anonymous visitors are sent to the login page."""
    response = client.get(EDIT)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_anonymous_post_changes_nothing(client, user):
    """A POST without a session is redirected to login and saves nothing."""
    before = profile_fields(user)
    response = client.post(EDIT, form_data())
    assert response.status_code == 302
    assert profile_fields(user) == before


def test_edit_form_shows_current_values(user_client, user):
    """The form comes filled with the saved profile, the birth date as DD.MM.YYYY."""
    User.objects.filter(pk=user.pk).update(birth_day=7, birth_month=4, birth_year=1990)
    html = user_client.get(EDIT, **EN).content.decode()
    assert 'value="07.04.1990"' in html
    assert 'value="1990-04-07"' in html
    assert 'type="date"' in html


def test_save_profile_with_typed_full_date(user_client, user):
    """Typed DD.MM.YYYY is saved with names, bio, gender and visibility."""
    response = user_client.post(EDIT, form_data(birth_date_text="07.04.1990"))
    assert response.status_code == 302
    assert profile_fields(user) == ("Ada", "King", "Counting engines.", "f", 7, 4, 1990, "everyone")


def test_day_and_month_only_hides_the_age(user_client, user, other_user, client):
    """DD.MM saves the birthday without a year; others see the day but no age."""
    user_client.post(EDIT, form_data(birth_date_text="29.02"))
    assert profile_fields(user)[4:7] == (29, 2, None)
    client.force_login(other_user)
    html = client.get(profile_url(user), **EN).content.decode()
    assert "29 February" in html
    assert "years old" not in html


def test_calendar_picker_sets_the_date(user_client, user):
    """A date picked on the calendar (text untouched) is saved."""
    user_client.post(EDIT, form_data(birth_date_picker="1985-12-31"))
    assert profile_fields(user)[4:7] == (31, 12, 1985)


def test_typed_date_wins_when_both_changed(user_client, user):
    """When both inputs changed the typed text is what counts."""
    user_client.post(EDIT, form_data(birth_date_text="01.02", birth_date_picker="1985-12-31"))
    assert profile_fields(user)[4:7] == (1, 2, None)


def test_clearing_the_typed_date_removes_the_birthday(user_client, user):
    """Emptying the text (the picker still holding the old date) removes the birthday."""
    User.objects.filter(pk=user.pk).update(birth_day=7, birth_month=4, birth_year=1990)
    user_client.post(EDIT, form_data(birth_date_text="", birth_date_picker="1990-04-07"))
    assert profile_fields(user)[4:7] == (None, None, None)


@pytest.mark.parametrize(
    "overrides",
    [
        {"birth_date_text": "31.02.1990"},
        {"birth_date_text": "next week"},
        {"birth_date_text": (timezone.localdate() + timedelta(days=1)).strftime("%d.%m.%Y")},
        {"birth_date_picker": "2999-01-01"},
        {"birth_date_picker": "not-a-date"},
        {"gender": "x"},
        {"birth_date_visibility": "aliens"},
        {"bio": "x" * 2001},
        {"first_name": "x" * 151},
    ],
)
def test_bad_input_shows_form_errors_and_saves_nothing(user_client, user, overrides):
    """Invalid dates or choices re-render the form with an error; the profile is unchanged."""
    before = profile_fields(user)
    response = user_client.post(EDIT, form_data(**overrides), **EN)
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert profile_fields(user) == before


# -- viewing -----------------------------------------------------------------------------------
def test_profile_needs_login(client, user):
    """Anonymous visitors are sent to the login page."""
    response = client.get(profile_url(user))
    assert response.status_code == 302


def test_profile_shows_name_bio_and_birthday(client, user, other_user):
    """A profile shows the name, @username, bio and birthday with the age."""
    born = timezone.localdate().replace(year=timezone.localdate().year - 30)
    if born.month == 2 and born.day == 29:
        born = born.replace(day=28)
    User.objects.filter(pk=user.pk).update(
        first_name="Ada",
        last_name="King",
        bio="Line one\n<b>not bold</b>",
        birth_day=born.day,
        birth_month=born.month,
        birth_year=born.year,
    )
    client.force_login(other_user)
    html = client.get(profile_url(user), **EN).content.decode()
    assert "Ada King" in html
    assert f"@{user.username}" in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert "30 years old" in html
    assert "accounts:profile_extra" not in html


def test_own_profile_offers_edit_not_block(user_client, user):
    """On one's own profile there is an Edit button and no Block button."""
    html = user_client.get(profile_url(user), **EN).content.decode()
    assert EDIT in html
    assert reverse("accounts:block", args=[user.username]) not in html


@pytest.mark.parametrize(
    ("visibility", "friends", "visible"),
    [
        ("everyone", False, True),
        ("friends", True, True),
        ("friends", False, False),
        ("nobody", True, False),
    ],
)
def test_birth_date_visibility(client, user, other_user, visibility, friends, visible):
    """The birthday is shown to everyone, friends only, or nobody but the owner."""
    User.objects.filter(pk=user.pk).update(
        birth_day=3, birth_month=5, birth_year=1991, birth_date_visibility=visibility
    )
    if friends:
        befriend(user, other_user)
    client.force_login(other_user)
    html = client.get(profile_url(user), **EN).content.decode()
    assert ("3 May 1991" in html) is visible
    client.force_login(user)
    assert "3 May 1991" in client.get(profile_url(user), **EN).content.decode()


def test_unknown_and_deactivated_profiles_are_404(user_client):
    """Missing users and deactivated ones look the same: 404."""
    assert user_client.get("/u/nobody-here/").status_code == 404
    gone = UserFactory(is_active=False)
    assert user_client.get(profile_url(gone)).status_code == 404


def test_profile_of_someone_who_blocked_me_is_404(user_client, user, other_user):
    """A person who blocked the viewer is not found."""
    BlockFactory(blocker=other_user, blocked=user)
    assert user_client.get(profile_url(other_user)).status_code == 404


def test_profile_of_someone_i_blocked_offers_unblock_only(user_client, user, other_user):
    """The blocker sees a bare page with an Unblock button and none of the profile."""
    User.objects.filter(pk=other_user.pk).update(bio="secret bio")
    BlockFactory(blocker=user, blocked=other_user)
    html = user_client.get(profile_url(other_user), **EN).content.decode()
    assert reverse("accounts:unblock", args=[other_user.username]) in html
    assert "secret bio" not in html


@pytest.mark.parametrize(
    ("gender", "phrase"),
    [("f", "She was last seen"), ("m", "He was last seen"), ("", "Last seen")],
)
def test_presence_phrase_agrees_with_gender(client, user, other_user, gender, phrase):
    """Offline people show when they were last seen, phrased by their gender."""
    seen = timezone.now() - timedelta(days=1)
    User.objects.filter(pk=user.pk).update(gender=gender, last_seen=seen)
    client.force_login(other_user)
    html = client.get(profile_url(user), **EN).content.decode()
    time = timezone.localtime(seen).strftime("%H:%M")
    assert f"{phrase} yesterday at {time}" in html


def test_last_seen_long_ago_shows_the_date():
    """A last visit in an earlier year shows the full date."""
    from accounts.templatetags.accounts_tags import last_seen

    person = User(gender="f", last_seen=timezone.now().replace(year=2020, month=6, day=1))
    with translation.override("en"):
        assert last_seen(person).startswith("She was last seen")
        assert "2020" in last_seen(person)
        assert last_seen(User(last_seen=None)) == ""
        assert last_seen(person, True) == "online"


@pytest.mark.parametrize("friends", [1, 25])
def test_profile_query_count_is_flat(
    client, user, other_user, django_assert_max_num_queries, friends
):
    """The profile page costs the same number of queries with 1 or 25 friends, blocks and posts."""
    User.objects.filter(pk=user.pk).update(
        birth_day=1, birth_month=1, birth_date_visibility="friends"
    )
    befriend(user, other_user)
    for _ in range(friends):
        extra = UserFactory()
        befriend(user, extra)
        Block.objects.create(blocker=user, blocked=UserFactory())
    for _ in range(friends):
        PostFactory(author=user, audience=Audience.FRIENDS)
    client.force_login(other_user)
    # 7 of these are the session, the user and allauth's session tracking (savepoints included);
    # the rest are the profile, the friend button, mutual friends and the wall.
    with django_assert_max_num_queries(20):
        assert client.get(profile_url(user)).status_code == 200


# -- blocking from the profile -----------------------------------------------------------------
def test_block_from_profile(user_client, user, other_user):
    """Block on a profile creates the block and lands on the blocked-users page."""
    response = user_client.post(reverse("accounts:block", args=[other_user.username]))
    assert response.url == reverse("accounts:blocked")
    assert Block.objects.filter(blocker=user, blocked=other_user).exists()


def test_block_needs_post_and_login(client, user_client, user, other_user):
    """GET is refused (405) and anonymous POSTs go to login; no block is created."""
    url = reverse("accounts:block", args=[other_user.username])
    assert user_client.get(url).status_code == 405
    client.logout()
    assert client.post(url).status_code == 302
    assert not Block.objects.exists()


def test_cannot_block_self_or_someone_hidden(user_client, user, other_user):
    """Blocking oneself or someone who blocked you is a 404 and changes nothing."""
    assert user_client.post(reverse("accounts:block", args=[user.username])).status_code == 404
    BlockFactory(blocker=other_user, blocked=user)
    url = reverse("accounts:block", args=[other_user.username])
    assert user_client.post(url).status_code == 404
    assert list(Block.objects.values_list("blocker", "blocked")) == [(other_user.pk, user.pk)]


def test_unblock(user_client, user, other_user):
    """Unblock removes one's own block and returns to the page it came from."""
    BlockFactory(blocker=user, blocked=other_user)
    response = user_client.post(
        reverse("accounts:unblock", args=[other_user.username]), {"next": profile_url(other_user)}
    )
    assert response.url == profile_url(other_user)
    assert not Block.objects.exists()


def test_cannot_lift_someone_elses_block(user_client, user, other_user):
    """Unblocking a person who blocked you (not the other way round) is a 404; block stays."""
    BlockFactory(blocker=other_user, blocked=user)
    url = reverse("accounts:unblock", args=[other_user.username])
    assert user_client.post(url, {"next": "https://evil.example/"}).status_code == 404
    assert Block.objects.filter(blocker=other_user, blocked=user).exists()


def test_unblock_ignores_foreign_next(user_client, user, other_user):
    """A `next` pointing to another site is ignored."""
    BlockFactory(blocker=user, blocked=other_user)
    url = reverse("accounts:unblock", args=[other_user.username])
    assert user_client.post(url, {"next": "https://evil.example/"}).url == reverse(
        "accounts:blocked"
    )


def test_birthday_today_counts_the_new_year_of_age():
    """On the birthday itself the age already includes the new year."""
    today = timezone.localdate()
    person = User(birth_day=today.day, birth_month=today.month, birth_year=today.year - 20)
    if (today.month, today.day) == (2, 29):
        pytest.skip("leap-day birthdays are covered in test_birthdays")
    assert person.age == 20
    assert date(today.year - 20, today.month, today.day) <= today


@pytest.mark.parametrize(
    "overrides",
    [
        {"gender": "x"},
        {"birth_date_visibility": "aliens"},
        {"bio": "x" * 2001},
        {"first_name": "x" * 151},
        {"birth_date": BirthDate(30, 2, None)},
        {"birth_date": BirthDate(1, 1, 2999)},
    ],
)
def test_profile_service_validates_on_its_own(user, overrides):
    """The service refuses bad values even without the form (the API calls it directly)."""
    before = profile_fields(user)
    values = {
        "first_name": "A",
        "last_name": "B",
        "bio": "",
        "gender": "",
        "birth_date": None,
        "birth_date_visibility": "everyone",
        **overrides,
    }
    with pytest.raises(ValidationError):
        services.profile_update(user=User.objects.get(pk=user.pk), **values)
    assert profile_fields(user) == before


def test_profile_message_button_opens_the_dialog(user_client, user, other_user):
    """The Message button on someone's profile posts to the dialog and lands in that chat."""
    from chats.models import Chat

    dialog_url = reverse("chats:dialog_open", args=[other_user.username])
    page = user_client.get(profile_url(other_user)).content.decode()
    assert f'action="{dialog_url}"' in page
    response = user_client.post(dialog_url)
    chat = Chat.objects.get()
    assert response.status_code == 302
    assert str(chat.pk) in response.url
    assert set(chat.memberships.values_list("user_id", flat=True)) == {user.pk, other_user.pk}


def test_own_profile_has_no_message_button(user_client, user):
    """Nobody is offered a dialog with themselves."""
    page = user_client.get(profile_url(user)).content.decode()
    assert reverse("chats:dialog_open", args=[user.username]) not in page
