"""Reads for social pages, the API and other apps, one module per domain, imported from here
(`from social import selectors; selectors.feed_for(...)`):

- `friends`: relations, friend lists and requests, mutual friends, people search;
- `wall`: feed, walls, posts, comments, likes, post search, the profile's social part;
- `board`: the discussion board and its search;
- `_kit`: page sizes, search words, per-row counts (pagination is messenger.api_kit's `Cursor`).

Who sees what:
- Posts: the author, everyone for an "everyone" post, friends for a "friends" post
  (Post.objects.visible_to). The feed is the viewer's own and their friends' posts.
- Blocking (either direction) hides both people from each other everywhere: search, lists,
  walls (404), posts, comments, likes and the counts of those.
- The board is public to every signed-in person, but a blocked pair does not see each other's
  topics (404) or replies (left out of pages and counts). A topic's "last activity" still moves
  when a hidden person replies: the ordering is the board's, not the viewer's.
"""

from messenger.api_kit import Cursor, keyset_page
from social.selectors._kit import (
    PAGE_SIZE,
    SEARCH_MAX_LENGTH,
    search_words,
)
from social.selectors.board import (
    BOARD_PAGE_SIZE,
    board_topics,
    can_moderate_board,
    replies_by,
    reply_get_for_user,
    search_board,
    topic_get_for_user,
    topic_replies,
    topics_by,
)
from social.selectors.friends import (
    FRIEND_LISTS,
    MUTUAL_FRIENDS_SHOWN,
    Relation,
    are_friends,
    friend_ids,
    friend_list_counts,
    friends_of,
    incoming_request_count,
    incoming_requests_of,
    mutual_friends_of,
    outgoing_requests_of,
    people_with_relations,
    relation_between,
    relations_for,
    search_people,
)
from social.selectors.wall import (
    COMMENTS_PAGE_SIZE,
    FEED_PAGE_SIZE,
    LATEST_COMMENTS_SHOWN,
    FeedPage,
    ProfileSocial,
    comment_get_for_user,
    comments_by,
    comments_of,
    feed_for,
    hidden_pairs,
    likers_of,
    post_card_for_user,
    post_event_recipients,
    post_get_for_author,
    post_get_for_user,
    post_photo_get_for_user,
    posts_by,
    profile_social_context,
    search_posts,
    search_posts_feed,
    wall_for,
)

__all__ = [
    "BOARD_PAGE_SIZE",
    "COMMENTS_PAGE_SIZE",
    "FEED_PAGE_SIZE",
    "FRIEND_LISTS",
    "LATEST_COMMENTS_SHOWN",
    "MUTUAL_FRIENDS_SHOWN",
    "PAGE_SIZE",
    "SEARCH_MAX_LENGTH",
    "Cursor",
    "FeedPage",
    "ProfileSocial",
    "Relation",
    "are_friends",
    "board_topics",
    "can_moderate_board",
    "comment_get_for_user",
    "comments_by",
    "comments_of",
    "feed_for",
    "friend_ids",
    "friend_list_counts",
    "friends_of",
    "hidden_pairs",
    "incoming_request_count",
    "incoming_requests_of",
    "keyset_page",
    "likers_of",
    "mutual_friends_of",
    "outgoing_requests_of",
    "people_with_relations",
    "post_card_for_user",
    "post_event_recipients",
    "post_get_for_author",
    "post_get_for_user",
    "post_photo_get_for_user",
    "posts_by",
    "profile_social_context",
    "relation_between",
    "relations_for",
    "replies_by",
    "reply_get_for_user",
    "search_board",
    "search_people",
    "search_posts",
    "search_posts_feed",
    "search_words",
    "topic_get_for_user",
    "topic_replies",
    "topics_by",
    "wall_for",
]
