# ruff: noqa: E501  (one line per row keeps the table readable and a new row one line)
"""The authorization matrix as data: who may do what, one line per endpoint.

Keys are URL names (HTML views), OpenAPI operation ids (/api/v1/) and client frame types
(/ws/). tests/security/test_matrix_coverage.py fails when an endpoint has no line here, so a new
view, operation or frame cannot ship without one. To add a line, copy the closest one:

    "app:name": Row("POST", "/path/{post}/", "friend owner", body={"text": "x"}),

- method/path: the request; `{name}` is filled from tests/security/world.py (`World.ids`).
- allow: the actors for whom the request succeeds (a space-separated string; USERS = every
  logged-in actor). Everyone else must be refused (403/404; anonymous: login redirect or 401),
  leave every row of the database as it was, publish nothing, and not see any secret text.
- body: form fields (HTML and multipart API operations; `form=True`) or a JSON body (API).
- sees: for reads that several actors may load but only some may read the object in: the
  actors whose response may contain `secret` (the others must not).
- swap: placeholders that also get the stranger's object of the same kind (a message of
  another chat, a comment of another post): then even the allowed actors must be refused.
- chat: the request concerns the group; every event it publishes may only reach people who
  were members before or after it.

The actor "late" joined the group after its message and file existed. Rows naming one of them
(PRE_JOIN placeholders) leave "late" out of `allow`: below their history floor they are refused
like an outsider. Each such row runs once more for "late" with their own message and file sent
after joining (LATE_IDS), and then they get what "member" gets (`late_allowed_after_join`).
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.security.world import ACTORS, USERS

U = " ".join(USERS)  # every logged-in actor
ALL = " ".join(ACTORS)
MEMBERS = "member late admin owner"  # the group's members now
EARLY = "member admin owner"  # members who were there when its message and file were sent
MODERATORS = "admin owner"
FRIENDS_OF_OWNER = "friend member removed late admin owner"  # befriended with the owner
NOT_BLOCKED = "stranger friend member removed late admin owner"
# Placeholders of objects from before "late" joined, and their stand-ins from after.
PRE_JOIN = ("message", "attachment")
LATE_IDS = {"message": "late_message", "attachment": "late_attachment"}
PNG = "@png"  # a body value that stands for a small PNG upload
TXT = "@txt"  # a small text file upload


class Access:
    """Who a row lets through (`allow`) and who may read its secret (`sees`, default allow)."""

    allow: str
    sees: str | None

    @property
    def allowed(self) -> set[str]:
        return set(self.allow.split())

    @property
    def readers(self) -> set[str]:
        return set((self.sees or self.allow).split())


@dataclass(frozen=True)
class Row(Access):
    method: str
    path: str
    allow: str
    body: dict | None = None
    form: bool = False
    secret: str | None = None
    sees: str | None = None
    swap: tuple[str, ...] = ()
    chat: bool = False


# -- HTML views (URL names) --------------------------------------------------------------------
HTTP: dict[str, Row] = {
    "healthz": Row("GET", "/healthz", ALL),
    "social:feed": Row("GET", "/", U, secret="post", sees=FRIENDS_OF_OWNER),
    "social:friends": Row("GET", "/friends/", U),
    "social:friend_request_count": Row("GET", "/friends/requests/count/", U),
    "social:friend_action": Row("POST", "/friends/{owner}/request/", "stranger"),
    "social:search": Row("GET", "/search/?q=owner", U),
    "social:wall": Row("GET", "/u/{owner}/wall/", NOT_BLOCKED, secret="post", sees=FRIENDS_OF_OWNER),
    "social:post_create": Row("POST", "/posts/new/", U, body={"text": "hi", "audience": "everyone"}),
    "social:post": Row("GET", "/posts/{post}/", FRIENDS_OF_OWNER, secret="post"),
    "social:post_edit": Row("POST", "/posts/{post}/edit/", "owner", body={"text": "x", "audience": "friends"}, swap=("post",)),
    "social:post_delete": Row("POST", "/posts/{post}/delete/", "owner", swap=("post",)),
    "social:post_like": Row("POST", "/posts/{post}/like/", FRIENDS_OF_OWNER),
    "social:post_likes": Row("GET", "/posts/{post}/likes/", FRIENDS_OF_OWNER),
    "social:comment_create": Row("POST", "/posts/{post}/comments/", FRIENDS_OF_OWNER, body={"text": "c"}),
    "social:comment_delete": Row("POST", "/comments/{comment}/delete/", "friend owner", swap=("comment",)),
    "social:post_photo": Row("GET", "/posts/{post}/photos/{post_photo}/", FRIENDS_OF_OWNER, swap=("post_photo",)),
    "social:post_photo_thumb": Row("GET", "/posts/{post}/photos/{post_photo}/thumb/", FRIENDS_OF_OWNER, swap=("post_photo",)),
    "social:comment_photo": Row("GET", "/comments/{comment}/photo/", FRIENDS_OF_OWNER, swap=("comment",)),
    "social:comment_photo_thumb": Row("GET", "/comments/{comment}/photo/thumb/", FRIENDS_OF_OWNER, swap=("comment",)),
    "social:board": Row("GET", "/board/", U),
    "social:topic_create": Row("POST", "/board/new/", U, body={"title": "t", "body": "b"}),
    "social:topic": Row("GET", "/board/{topic}/", NOT_BLOCKED),
    "social:reply_create": Row("POST", "/board/{topic}/reply/", NOT_BLOCKED, body={"text": "r"}),
    "social:topic_delete": Row("POST", "/board/{topic}/delete/", "owner", swap=("topic",)),
    "social:reply_delete": Row("POST", "/board/replies/{reply}/delete/", "friend", swap=("reply",)),
    "accounts:profile": Row("GET", "/u/{owner}/", NOT_BLOCKED),
    "accounts:block": Row("POST", "/u/{owner}/block/", "stranger friend member removed late admin"),
    "accounts:unblock": Row("POST", "/u/{blocked}/unblock/", "owner"),
    "accounts:profile_edit": Row("POST", "/settings/profile/", U, body={"first_name": "N", "last_name": "L", "birth_date_visibility": "everyone"}),
    "accounts:avatar_upload": Row("POST", "/settings/avatar/", U, body={"image": PNG}),
    "accounts:avatar_use": Row("POST", "/settings/avatar/{avatar}/use/", "owner"),
    "accounts:avatar_delete": Row("POST", "/settings/avatar/{avatar}/delete/", "owner"),
    "accounts:blocked": Row("GET", "/settings/blocked/", U),
    "accounts:delete": Row("GET", "/settings/delete/", U),
    "chats:list": Row("GET", "/chats/", U, secret="title", sees=MEMBERS),
    "chats:unread": Row("GET", "/chats/unread/", U),
    "chats:group_new": Row("GET", "/chats/new/", U),
    "chats:dialog_open": Row("POST", "/chats/dialog/{owner}/", "stranger friend member removed late admin"),
    "chats:detail": Row("GET", "/chats/{chat}/", MEMBERS, secret="message", sees=EARLY, swap=("chat",)),
    "chats:history": Row("GET", "/chats/{chat}/history/", MEMBERS, secret="message", sees=EARLY),
    "chats:hide": Row("POST", "/chats/{chat}/hide/", MEMBERS),
    "chats:upload": Row("POST", "/chats/{chat}/attachments/", MEMBERS, body={"file": TXT}),
    "chats:avatar": Row("GET", "/chats/{chat}/avatar/", MEMBERS),
    "chats:settings": Row("GET", "/chats/{chat}/settings/", MEMBERS, secret="title"),
    "chats:rename": Row("POST", "/chats/{chat}/settings/rename/", MODERATORS, body={"title": "New"}, chat=True),
    "chats:set_avatar": Row("POST", "/chats/{chat}/settings/photo/", MODERATORS, body={"avatar": PNG}, chat=True),
    "chats:members_add": Row("POST", "/chats/{chat}/settings/members/", MODERATORS, body={"members": "{friend}"}, chat=True),
    "chats:member_remove": Row("POST", "/chats/{chat}/settings/members/{member_id}/remove/", MODERATORS, swap=("member_id",), chat=True),
    "chats:member_role": Row("POST", "/chats/{chat}/settings/members/{member_id}/role/", "owner", body={"role": "admin"}, swap=("member_id",), chat=True),
    "chats:leave": Row("POST", "/chats/{chat}/leave/", MEMBERS, chat=True),
    "chats:delete": Row("POST", "/chats/{chat}/delete/", "owner", chat=True),
    "chats:audit": Row("GET", "/chats/{chat}/audit/", MODERATORS),
    "chats:edits": Row("GET", "/chats/messages/{message}/edits/", EARLY, secret="message", swap=("message",)),
    "chats:file": Row("GET", "/chats/files/{attachment}/", EARLY, swap=("attachment",)),
    "chats:thumb": Row("GET", "/chats/files/{attachment}/thumb/", EARLY, swap=("attachment",)),
    "chats:sticker": Row("GET", "/chats/stickers/{sticker}/", U),
    "chats:mute": Row("POST", "/chats/{chat}/mute/", MEMBERS, body={"muted": "1"}, swap=("chat",)),
    "notifications:list": Row("GET", "/notifications/", U, secret="comment", sees="owner"),
    "notifications:count": Row("GET", "/notifications/count/", U),
    "notifications:read": Row("POST", "/notifications/{notification}/read/", "owner", swap=("notification",)),
    "notifications:read_all": Row("POST", "/notifications/read-all/", U),
    "notifications:settings": Row("POST", "/notifications/settings/", U, body={"email_digest": "on"}),
    "exports:page": Row("GET", "/settings/export/", U),
    "exports:account": Row("POST", "/settings/export/account/", U),
    "exports:chat": Row("POST", "/settings/export/chat/{chat}/", MEMBERS, swap=("chat",)),
    "exports:status": Row("GET", "/settings/export/{export}/", "owner", swap=("export",)),
    "exports:download": Row("GET", "/settings/export/{export}/download/", "owner", swap=("export",)),
    "moderation:report": Row("POST", "/report/post/{post}/", "friend member removed late admin", body={"reason": "spam"}),
}  # fmt: skip

# URL patterns outside the matrix, by the first segment of their route, with the reason.
HTTP_SKIPPED = {
    "admin/": "Django admin: staff only, checked by test_admin_needs_staff below",
    "accounts/": "allauth's own pages (login, signup, reset): tests/security/test_auth_abuse.py",
    "_allauth/": "allauth headless API (tokens): tests/api/test_auth.py",
    "api/v1/": "REST API: the API table below covers every operation",
    "i18n/": "Django's set_language: changes only the visitor's language cookie",
    "media/": "public folders only (avatars, board photos, group photos under random names)",
    "static/": "static files",
}

# -- REST API (OpenAPI operation ids) ---------------------------------------------------------
A = "/api/v1"
API: dict[str, Row] = {
    "accounts_api_me_get": Row("GET", f"{A}/me", U),
    "accounts_api_me_update": Row("PATCH", f"{A}/me", U, body={"bio": "hello"}),
    "accounts_api_user_get": Row("GET", f"{A}/users/{{owner}}", NOT_BLOCKED),
    "accounts_api_blocks_list": Row("GET", f"{A}/blocks", U),
    "accounts_api_block_create": Row("POST", f"{A}/blocks", "stranger friend member removed late admin", body={"username": "{owner}"}),
    "accounts_api_block_delete": Row("DELETE", f"{A}/blocks/{{blocked}}", "owner"),
    "social_api_friends_list": Row("GET", f"{A}/friends", U),
    "social_api_friend_requests_list": Row("GET", f"{A}/friends/requests/incoming", U),
    "social_api_friend_request_send": Row("POST", f"{A}/friends/requests", "stranger", body={"username": "{owner}"}),
    "social_api_friend_request_cancel": Row("DELETE", f"{A}/friends/requests/outgoing/{{stranger}}", "owner"),
    "social_api_friend_request_accept": Row("POST", f"{A}/friends/requests/incoming/{{owner}}/accept", "stranger"),
    "social_api_friend_request_decline": Row("POST", f"{A}/friends/requests/incoming/{{owner}}/decline", "stranger"),
    "social_api_friendship_remove": Row("DELETE", f"{A}/friends/{{owner}}", "friend member removed late admin"),
    "social_api_users_search": Row("GET", f"{A}/users?q=owner", U),
    "social_api_feed": Row("GET", f"{A}/feed", U, secret="post", sees=FRIENDS_OF_OWNER),
    "social_api_wall": Row("GET", f"{A}/users/{{owner}}/posts", NOT_BLOCKED, secret="post", sees=FRIENDS_OF_OWNER),
    "social_api_post_create": Row("POST", f"{A}/posts", U, body={"text": "hi"}, form=True),
    "social_api_post_get": Row("GET", f"{A}/posts/{{post}}", FRIENDS_OF_OWNER, secret="post"),
    "social_api_post_update": Row("PATCH", f"{A}/posts/{{post}}", "owner", body={"text": "x"}, swap=("post",)),
    "social_api_post_delete": Row("DELETE", f"{A}/posts/{{post}}", "owner", swap=("post",)),
    "social_api_post_like": Row("PUT", f"{A}/posts/{{post}}/like", FRIENDS_OF_OWNER),
    "social_api_post_unlike": Row("DELETE", f"{A}/posts/{{post}}/like", FRIENDS_OF_OWNER),
    "social_api_post_likers": Row("GET", f"{A}/posts/{{post}}/likes", FRIENDS_OF_OWNER),
    "social_api_comments_list": Row("GET", f"{A}/posts/{{post}}/comments", FRIENDS_OF_OWNER, secret="comment"),
    "social_api_comment_create": Row("POST", f"{A}/posts/{{post}}/comments", FRIENDS_OF_OWNER, body={"text": "c"}, form=True),
    "social_api_comment_delete": Row("DELETE", f"{A}/posts/{{post}}/comments/{{comment}}", "friend owner", swap=("comment",)),
    "social_api_topics_list": Row("GET", f"{A}/board/topics", U),
    "social_api_topic_create": Row("POST", f"{A}/board/topics", U, body={"title": "t", "body": "b"}, form=True),
    "social_api_topic_get": Row("GET", f"{A}/board/topics/{{topic}}", NOT_BLOCKED),
    "social_api_topic_delete": Row("DELETE", f"{A}/board/topics/{{topic}}", "owner", swap=("topic",)),
    "social_api_replies_list": Row("GET", f"{A}/board/topics/{{topic}}/replies", NOT_BLOCKED),
    "social_api_reply_create": Row("POST", f"{A}/board/topics/{{topic}}/replies", NOT_BLOCKED, body={"text": "r"}, form=True),
    "social_api_reply_delete": Row("DELETE", f"{A}/board/topics/{{topic}}/replies/{{reply}}", "friend", swap=("reply",)),
    "chats_api_chats_list": Row("GET", f"{A}/chats", U, secret="title", sees=MEMBERS),
    "chats_api_group_create": Row("POST", f"{A}/chats", U, body={"title": "G"}),
    "chats_api_dialog_open": Row("POST", f"{A}/dialogs", "stranger friend member removed late admin", body={"username": "{owner}"}),
    "chats_api_chat_get": Row("GET", f"{A}/chats/{{chat}}", MEMBERS, secret="title", swap=("chat",)),
    "chats_api_chat_rename": Row("PATCH", f"{A}/chats/{{chat}}", MODERATORS, body={"title": "New"}, chat=True),
    "chats_api_chat_delete": Row("DELETE", f"{A}/chats/{{chat}}", "owner", chat=True),
    "chats_api_chat_avatar_set": Row("POST", f"{A}/chats/{{chat}}/avatar", MODERATORS, body={"avatar": PNG}, form=True, chat=True),
    "chats_api_chat_avatar_delete": Row("DELETE", f"{A}/chats/{{chat}}/avatar", MODERATORS, chat=True),
    "chats_api_chat_leave": Row("POST", f"{A}/chats/{{chat}}/leave", MEMBERS, body={}, chat=True),
    "chats_api_chat_hide": Row("POST", f"{A}/chats/{{chat}}/hide", MEMBERS, body={}),
    "chats_api_chat_read": Row("POST", f"{A}/chats/{{chat}}/read", MEMBERS, body={"seq": 1}, chat=True),
    "chats_api_members_list": Row("GET", f"{A}/chats/{{chat}}/members", MEMBERS),
    "chats_api_members_add": Row("POST", f"{A}/chats/{{chat}}/members", MODERATORS, body={"usernames": ["{friend}"]}, chat=True),
    "chats_api_member_set_role": Row("PATCH", f"{A}/chats/{{chat}}/members/{{member}}", "owner", body={"role": "admin"}, swap=("member",), chat=True),
    "chats_api_member_remove": Row("DELETE", f"{A}/chats/{{chat}}/members/{{member}}", MODERATORS, swap=("member",), chat=True),
    "chats_api_audit_list": Row("GET", f"{A}/chats/{{chat}}/audit", MODERATORS),
    "chats_api_messages_list": Row("GET", f"{A}/chats/{{chat}}/messages", MEMBERS, secret="message", sees=EARLY, swap=("chat",)),
    "chats_api_message_send": Row("POST", f"{A}/chats/{{chat}}/messages", EARLY, body={"client_id": "{uuid}", "text": "hi", "reply_to": "{message}"}, chat=True),
    "chats_api_message_edit": Row("PATCH", f"{A}/chats/{{chat}}/messages/{{message}}", "member", body={"text": "changed"}, swap=("message",), chat=True),
    "chats_api_message_delete": Row("DELETE", f"{A}/chats/{{chat}}/messages/{{message}}?for=all", EARLY, swap=("message",), chat=True),
    "chats_api_reaction_add": Row("PUT", f"{A}/chats/{{chat}}/messages/{{message}}/reactions/👍", EARLY, swap=("message",), chat=True),
    "chats_api_reaction_remove": Row("DELETE", f"{A}/chats/{{chat}}/messages/{{message}}/reactions/❤️", EARLY, swap=("message",), chat=True),
    "chats_api_attachment_upload": Row("POST", f"{A}/chats/{{chat}}/attachments", MEMBERS, body={"file": TXT}, form=True),
    "chats_api_chat_mute": Row("PUT", f"{A}/chats/{{chat}}/mute", MEMBERS, body={"muted": True}, swap=("chat",)),
    "social_api_posts_search": Row("GET", f"{A}/search/posts?q=s3cret", U, secret="post", sees=FRIENDS_OF_OWNER),
    "social_api_board_search": Row("GET", f"{A}/search/board?q=Board", U),
    "notifications_api_notifications_list": Row("GET", f"{A}/notifications", U, secret="comment", sees="owner"),
    "notifications_api_notifications_count": Row("GET", f"{A}/notifications/count", U),
    "notifications_api_notifications_read_all": Row("POST", f"{A}/notifications/read-all", U, body={}),
    "notifications_api_notification_read": Row("POST", f"{A}/notifications/{{notification}}/read", "owner", body={}, swap=("notification",)),
    "notifications_api_notification_settings_get": Row("GET", f"{A}/notifications/settings", U),
    "notifications_api_notification_settings_put": Row("PUT", f"{A}/notifications/settings", U, body={"email_digest": True, "muted_kinds": []}),
    "exports_api_export_list": Row("GET", f"{A}/exports", U),
    "exports_api_export_create": Row("POST", f"{A}/exports", MEMBERS, body={"chat": "{chat}"}, swap=("chat",)),
    "exports_api_export_get": Row("GET", f"{A}/exports/{{export}}", "owner", swap=("export",)),
    "exports_api_export_download": Row("GET", f"{A}/exports/{{export}}/download", "owner", swap=("export",)),
    "moderation_api_report_create": Row("POST", f"{A}/reports", "friend member removed late admin", body={"kind": "post", "id": "{post}", "reason": "spam"}),
    "moderation_api_reports_list": Row("GET", f"{A}/reports", U),
}  # fmt: skip


# -- socket frames (client → server types) ----------------------------------------------------
@dataclass(frozen=True)
class FrameRow(Access):
    """A well-formed frame (`{name}` filled from World.ids) and who may send it."""

    frame: dict
    allow: str
    secret: str | None = None
    sees: str | None = None
    swap: tuple[str, ...] = ()


CALL = {"call": "6f1c2a2e-4a8b-4a55-9d2a-0c0ffee00001"}
DIALOG_PEOPLE = "friend owner"  # the owner's dialog with her friend; calls stay in dialogs
FRAMES: dict[str, FrameRow] = {
    "ping": FrameRow({}, U),
    "realtime.stats": FrameRow({}, ""),  # staff only: no actor of the matrix is staff
    "message.send": FrameRow({"chat": "{chat}", "client_id": "{uuid}", "text": "x", "reply_to": "{message}"}, EARLY, swap=("chat",)),
    "message.edit": FrameRow({"message": "{message}", "text": "changed"}, "member", swap=("message",)),
    "message.delete": FrameRow({"message": "{message}", "for": "all"}, EARLY, swap=("message",)),
    "reaction.add": FrameRow({"message": "{message}", "emoji": "👍"}, EARLY, swap=("message",)),
    "reaction.remove": FrameRow({"message": "{message}", "emoji": "❤️"}, EARLY, swap=("message",)),
    "typing": FrameRow({"chat": "{chat}"}, MEMBERS, swap=("chat",)),
    "read": FrameRow({"chat": "{chat}", "seq": 1}, MEMBERS, swap=("chat",)),
    # Anyone may ask; a chat one is not in comes back as gone, without its changes.
    "sync": FrameRow({"chats": {"{chat}": 0}}, U, secret="message", sees=EARLY),
    "call.ring": FrameRow({"chat": "{dialog}", **CALL, "video": True}, DIALOG_PEOPLE, swap=("dialog",)),
    "call.accept": FrameRow({"chat": "{dialog}", **CALL}, DIALOG_PEOPLE, swap=("dialog",)),
    "call.offer": FrameRow({"chat": "{dialog}", **CALL, "sdp": "v=0"}, DIALOG_PEOPLE, swap=("dialog",)),
    "call.answer": FrameRow({"chat": "{dialog}", **CALL, "sdp": "v=0"}, DIALOG_PEOPLE, swap=("dialog",)),
    "call.ice": FrameRow({"chat": "{dialog}", **CALL, "candidate": {"candidate": ""}}, DIALOG_PEOPLE, swap=("dialog",)),
    "call.decline": FrameRow({"chat": "{dialog}", **CALL}, DIALOG_PEOPLE, swap=("dialog",)),
    "call.end": FrameRow({"chat": "{dialog}", **CALL, "state": "missed"}, DIALOG_PEOPLE, swap=("dialog",)),
}  # fmt: skip

# Who may read each secret of World (anywhere: pages, JSON, frames). Checked on every response
# and every published or received frame of the matrix, allowed or not.
KNOWS = {
    "message": EARLY,
    "title": MEMBERS,
    "dialog": DIALOG_PEOPLE,
    "post": FRIENDS_OF_OWNER,
    "comment": FRIENDS_OF_OWNER,
}


def names_pre_join(row: Row | FrameRow) -> bool:
    """True if the row's request names an object from before "late" joined."""
    text = f"{getattr(row, 'path', '')} {getattr(row, 'body', None)} {getattr(row, 'frame', None)}"
    return any("{" + name + "}" in text for name in PRE_JOIN)


def late_ids(ids: dict) -> dict:
    """World ids with the pre-join message and file replaced by late's own from after."""
    return {**ids, **{name: ids[stand_in] for name, stand_in in LATE_IDS.items()}}


def late_allowed_after_join(row: Row | FrameRow) -> bool:
    """With their own post-join objects "late" may do what a plain member may."""
    return "member" in row.allowed
