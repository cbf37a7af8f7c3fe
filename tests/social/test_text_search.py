"""Post and board search: any script and case, only what the searcher may see, highlighted
safely, paginated, with a fixed number of queries (runs on SQLite and on PostgreSQL)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.services import block_create
from social.models import Audience
from social.selectors import PAGE_SIZE, search_board, search_posts
from tests.factories import PostFactory, ReplyFactory, TopicFactory, UserFactory, befriend

pytestmark = pytest.mark.django_db

SEARCH = reverse("social:search")


def post_ids(viewer, query) -> set[int]:
    return {post.pk for post in search_posts(viewer, query)}


def topic_ids(viewer, query) -> set[int]:
    return {topic.pk for topic in search_board(viewer, query)}


# -- posts --------------------------------------------------------------------------------------
@pytest.fixture
def winter_post(other_user):
    return PostFactory(author=other_user, text="Зимой в Москве ёлки стоят на площади")


@pytest.mark.parametrize(
    "query", ["москве", "МОСКВЕ", "мОсКвЕ", "елки", "ЁЛКИ", "моск", "зимой ёлк"]
)
def test_posts_match_in_any_case_and_with_yo(user, winter_post, query):
    """Cyrillic words and parts of words match whatever the case; ё and е match each other."""
    assert post_ids(user, query) == {winter_post.pk}


def test_every_word_must_occur_in_a_post(user, winter_post):
    """Several words must all occur in the same post, in any order."""
    other = PostFactory(text="Летом в Москве жарко")
    assert post_ids(user, "москве") == {winter_post.pk, other.pk}
    assert post_ids(user, "площади москве") == {winter_post.pk}
    assert post_ids(user, "москве лондон") == set()


def test_like_wildcards_in_a_post_query_are_literal(user):
    """% and _ are plain characters, not wildcards."""
    percent = PostFactory(text="скидка 50% на всё")
    PostFactory(text="скидка 50 рублей")
    assert post_ids(user, "50%") == {percent.pk}
    assert post_ids(user, "_") == set()


def test_friends_only_posts_are_found_by_friends_and_the_author_only(user, other_user):
    """A friends-only post is found by its author and their friends, never by a stranger."""
    post = PostFactory(author=other_user, text="Секретный рецепт пирога", audience=Audience.FRIENDS)
    stranger = UserFactory()
    assert post_ids(stranger, "пирог") == set()
    assert post_ids(user, "пирог") == set()
    befriend(user, other_user)
    assert post_ids(user, "пирог") == {post.pk}
    assert post_ids(other_user, "пирог") == {post.pk}


def test_blocked_and_deactivated_authors_are_never_found(user, other_user, winter_post):
    """Posts of someone in a blocked pair with the searcher, or of a deactivated person, are
    left out, whichever side blocked."""
    assert post_ids(user, "москве") == {winter_post.pk}
    block_create(blocker=other_user, blocked=user)
    assert post_ids(user, "москве") == set()
    third = UserFactory()
    assert post_ids(third, "москве") == {winter_post.pk}
    other_user.is_active = False
    other_user.save()
    assert post_ids(third, "москве") == set()


def test_posts_are_newest_first(user):
    """Results come newest first."""
    now = timezone.now()
    old = PostFactory(text="кот", created_at=now - timedelta(days=2))
    new = PostFactory(text="Кот", created_at=now)
    assert [p.pk for p in search_posts(user, "кот")] == [new.pk, old.pk]


def test_empty_and_too_long_queries(user, winter_post):
    """An empty query finds nothing; one over 100 characters is refused with a reason."""
    assert post_ids(user, "   ") == set()
    with pytest.raises(ValidationError) as refused:
        search_posts(user, "я" * 101)
    assert refused.value.message_dict["q"]
    with pytest.raises(ValidationError):
        search_board(user, "я" * 101)


# -- board --------------------------------------------------------------------------------------
def test_topics_match_title_and_text_in_any_case(user):
    """A topic is found by words of its title and its text together, in any case."""
    topic = TopicFactory(title="Ремонт лифта", body="Когда ПОЧИНЯТ лифт в третьем подъезде?")
    TopicFactory(title="Субботник", body="Все во двор")
    assert topic_ids(user, "ЛИФТ") == {topic.pk}
    assert topic_ids(user, "ремонт починят") == {topic.pk}
    assert topic_ids(user, "ремонт двор") == set()


def test_a_matching_reply_finds_its_topic_with_its_page(user):
    """A topic is found through one of its replies; the result names the first matching reply
    and the page of the topic it is on."""
    topic = TopicFactory(title="Парковка", body="Где ставить машины")
    start = timezone.now()
    replies = [
        ReplyFactory(topic=topic, text=f"ответ {n}", created_at=start + timedelta(seconds=n))
        for n in range(PAGE_SIZE + 3)
    ]
    replies[PAGE_SIZE + 1].text = "Шлагбаум сломан"
    replies[PAGE_SIZE + 1].save()
    [found] = search_board(user, "шлагбаум")
    assert found.pk == topic.pk
    assert [r.pk for r in found.matching_replies] == [replies[PAGE_SIZE + 1].pk]
    assert found.matching_replies[0].page == 2
    assert found.reply_count == PAGE_SIZE + 3


def test_board_search_leaves_out_blocked_people(user, other_user):
    """Topics by someone in a blocked pair with the searcher are not found, and their replies
    do not make a topic found."""
    theirs = TopicFactory(author=other_user, title="Велосипеды во дворе")
    mine = TopicFactory(author=user, title="Детская площадка")
    ReplyFactory(topic=mine, author=other_user, text="Нужны новые велосипеды")
    assert topic_ids(user, "велосипеды") == {theirs.pk, mine.pk}
    block_create(blocker=user, blocked=other_user)
    assert topic_ids(user, "велосипеды") == set()
    assert topic_ids(UserFactory(), "велосипеды") == {theirs.pk, mine.pk}


def test_board_results_are_most_recently_active_first(user):
    """Board results follow the board's order: most recent activity first."""
    now = timezone.now()
    quiet = TopicFactory(title="Кошки", last_activity_at=now - timedelta(days=3))
    busy = TopicFactory(title="Про кошек", last_activity_at=now)
    assert [t.pk for t in search_board(user, "кош")] == [busy.pk, quiet.pk]


# -- the page -----------------------------------------------------------------------------------
def test_posts_tab_shows_highlighted_snippets(user_client, winter_post):
    """The posts tab lists matching posts with the words marked and a link to each post."""
    response = user_client.get(SEARCH, {"q": "москве", "tab": "posts"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>Москве</mark>" in html
    assert reverse("social:post", args=[winter_post.pk]) in html
    assert 'data-tab="posts" aria-current="page"' in html
    # The other tabs search the same words.
    assert 'href="?q=%D0%BC%D0%BE%D1%81%D0%BA%D0%B2%D0%B5&amp;tab=board" data-tab="board"' in html


def test_board_tab_links_to_the_matching_reply(user_client):
    """The board tab shows the topic and the matching reply, linked on its page."""
    topic = TopicFactory(title="Лифт", body="Не работает")
    reply = ReplyFactory(topic=topic, text="Мастер придёт в ПЯТНИЦУ")
    response = user_client.get(SEARCH, {"q": "пятниц", "tab": "board"})
    html = response.content.decode()
    assert f"{reverse('social:topic', args=[topic.pk])}?page=1#reply-{reply.pk}" in html
    assert "<mark>ПЯТНИЦ</mark>У" in html


def test_friends_only_post_is_not_shown_to_a_stranger(client, user, other_user):
    """A stranger's search page does not show a friends-only post; a friend's does."""
    PostFactory(author=other_user, text="Семейный пикник", audience=Audience.FRIENDS)
    client.force_login(user)
    response = client.get(SEARCH, {"q": "пикник", "tab": "posts"})
    assert response.status_code == 200
    assert "пикник" not in response.content.decode().replace('value="пикник"', "")
    befriend(user, other_user)
    response = client.get(SEARCH, {"q": "пикник", "tab": "posts"})
    assert "<mark>пикник</mark>" in response.content.decode()


def test_markup_in_posts_and_queries_is_shown_as_text(user_client):
    """A post's markup and the query's markup are escaped, marks or not."""
    PostFactory(text="<script>alert(1)</script> <b>жирный</b>")
    response = user_client.get(SEARCH, {"q": "<script>", "tab": "posts"})
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt; &lt;b&gt;жирный&lt;/b&gt;" in html


def test_results_are_paginated_keeping_query_and_tab(user_client):
    """Post results come 20 to a page; page links keep the query and the tab."""
    PostFactory.create_batch(25, text="Новости района")
    first = user_client.get(SEARCH, {"q": "район", "tab": "posts"})
    assert len(first.context["results"]) == 20
    assert "tab=posts&amp;page=2" in first.content.decode()
    second = user_client.get(SEARCH, {"q": "район", "tab": "posts", "page": "2"})
    assert len(second.context["results"]) == 5


def test_unknown_tab_searches_people(user_client):
    """A tab the page does not know falls back to people."""
    UserFactory(first_name="Ксения")
    response = user_client.get(SEARCH, {"q": "ксения", "tab": "nonsense"})
    assert response.status_code == 200
    assert response.context["scope"] == "people"
    assert len(response.context["people"]) == 1


@pytest.mark.parametrize("tab", ["posts", "board"])
def test_too_long_text_query_is_refused_clearly(user_client, tab):
    """A query over 100 characters gets a 400 with an explanation on every tab."""
    response = user_client.get(SEARCH, {"q": "я" * 101, "tab": tab})
    assert response.status_code == 400
    assert "too long" in response.content.decode()


@pytest.mark.parametrize("tab", ["posts", "board"])
def test_text_search_needs_login(client, tab):
    """An anonymous visitor is sent to log in and sees nothing."""
    PostFactory(text="Открытый пост")
    response = client.get(SEARCH, {"q": "открытый", "tab": tab})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("tab", ["posts", "board"])
def test_query_count_does_not_grow_with_results(user_client, user, count_queries, tab):
    """The posts and board tabs cost the same number of queries for 2 and for 15 results."""

    def grow(n):
        for _ in range(n):
            post = PostFactory(text="Общий сбор")
            topic = TopicFactory(title="Общий сбор")
            ReplyFactory(topic=topic, text="Общий сбор завтра")
            ReplyFactory(topic=TopicFactory(title="Другое"), text="про общий сбор")
            assert post

    shown = []

    def load():
        response = user_client.get(SEARCH, {"q": "общий сбор", "tab": tab})
        assert response.status_code == 200
        shown.append(len(response.context["results"]))

    load()  # the first request of a session also records the session
    grow(2)
    small = count_queries(load)
    grow(13)
    assert count_queries(load) == small
    assert shown[1:] == ([2, 15] if tab == "posts" else [4, 20])


def test_long_post_shows_an_excerpt_around_the_match(user_client):
    """A long post is cut to an excerpt around the first match, with "…" where it was cut."""
    PostFactory(text="Вступление. " * 60 + "Главное: сбор у ПОДЪЕЗДА в семь. " + "Потом. " * 60)
    response = user_client.get(SEARCH, {"q": "подъезд", "tab": "posts"})
    assert len(response.context["results"]) == 1
    html = response.content.decode()
    assert "…Вступление." in html
    assert "сбор у <mark>ПОДЪЕЗД</mark>А в семь." in html
    assert "Потом.…" in html
    assert html.count("Вступление.") < 10
