"""Social pages: feed, friends, search, profile wall, posts, the discussion board."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import user_get_visible
from messenger.private_files import serve_private_file, session_or_token
from social import selectors, services
from social.forms import CommentForm, PostEditForm, PostForm, ReplyForm, TopicForm
from social.models import Post


def _redirect_back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the form was on (`next`), if it is ours; else to `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return redirect(target)


def _page(request: HttpRequest, items, per_page: int = selectors.PAGE_SIZE):
    """The requested page of `items` (a missing or bad page number gives the nearest page)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


# -- friends ------------------------------------------------------------------------------------
FRIEND_ACTIONS = {
    "request": lambda me, person: services.friend_request_send(from_user=me, to_user=person),
    "cancel": lambda me, person: services.friend_request_cancel(from_user=me, to_user=person),
    "accept": lambda me, person: services.friend_request_accept(user=me, from_user=person),
    "decline": lambda me, person: services.friend_request_decline(user=me, from_user=person),
    "remove": lambda me, person: services.friendship_remove(user=me, friend=person),
}


@login_required
@require_GET
def friends(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "friends")
    if tab not in selectors.FRIEND_LISTS:
        tab = "friends"
    page = _page(request, selectors.FRIEND_LISTS[tab](request.user))
    people = selectors.people_with_relations(request.user, page.object_list)
    return render(
        request,
        "social/friends.html",
        {
            "tab": tab,
            "page": page,
            "people": people,
            "counts": selectors.friend_list_counts(request.user),
        },
    )


@login_required
@require_POST
def friend_action(request: HttpRequest, username: str, action: str) -> HttpResponse:
    """Send, cancel, accept or decline a request, or remove a friend; then show the button."""
    if action not in FRIEND_ACTIONS:
        raise Http404
    person = user_get_visible(request.user, username)
    error = None
    try:
        FRIEND_ACTIONS[action](request.user, person)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        person.relation = selectors.relation_between(request.user, person)
        return render(
            request,
            "social/_friend_button.html",
            {"person": person, "error": error, "next_url": request.htmx.current_url_abs_path},
        )
    if error:
        messages.error(request, error)
    return _redirect_back(request, reverse("social:wall", args=[person.username]))


@login_required
@require_GET
def friend_request_count(request: HttpRequest) -> JsonResponse:
    """The navigation badge's number, fetched whenever the socket (re)connects."""
    return JsonResponse({"incoming": selectors.incoming_request_count(request.user)})


# -- search -------------------------------------------------------------------------------------
SEARCH_SCOPES = ("people", "posts", "board")


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """People, posts or board topics matching `q`, one tab at a time, paginated."""
    query = request.GET.get("q", "").strip()
    scope = request.GET.get("tab", "people")
    if scope not in SEARCH_SCOPES:
        scope = "people"
    find = {
        "people": selectors.search_people,
        "posts": selectors.search_posts,
        "board": selectors.search_board,
    }[scope]
    error = page = results = None
    words: list[str] = []
    if query:
        try:
            words = selectors.search_words(query)
            found = find(request.user, query)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            page = _page(request, found)
            results = page.object_list
            if scope == "people":
                results = selectors.people_with_relations(request.user, results)
    return render(
        request,
        "social/search.html",
        {
            "q": query[: selectors.SEARCH_MAX_LENGTH],
            "scope": scope,
            "scopes": SEARCH_SCOPES,
            "words": words,
            "page_query": urlencode({"q": query, "tab": scope}) + "&",
            "error": error,
            "page": page,
            "results": results,
            "people": results if scope == "people" else None,
        },
        status=400 if error else 200,
    )


# -- feed, wall, posts --------------------------------------------------------------------------
class BadCursor(ValueError):
    pass


def _cursor(request: HttpRequest) -> selectors.Cursor | None:
    """The `before` cursor of an "older posts" request; BadCursor if it is malformed."""
    text = request.GET.get("before")
    if not text:
        return None
    try:
        return selectors.Cursor.decode(text)
    except ValueError:
        raise BadCursor from None


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "social/error.html", {"message": message}, status=400)


def _broken_cursor(request: HttpRequest) -> HttpResponse:
    return _bad_request(request, _("This link to older posts is broken. Go back to the start."))


def _older_posts(request: HttpRequest, page: selectors.FeedPage, more_url: str) -> HttpResponse:
    """The next posts and a new "older" button, for htmx to put in place of the old button."""
    return render(request, "social/_feed_page.html", {"feed": page, "more_url": more_url})


@login_required
@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    try:
        page = selectors.feed_for(request.user, before=_cursor(request))
    except BadCursor:
        return _broken_cursor(request)
    if request.htmx and request.GET.get("before"):
        return _older_posts(request, page, request.path)
    return render(
        request, "social/feed.html", {"form": PostForm(), "feed": page, "more_url": request.path}
    )


@login_required
@require_GET
def wall(request: HttpRequest, username: str) -> HttpResponse:
    """A person's friend button, mutual friends and wall (the profile page includes the same)."""
    person = user_get_visible(request.user, username)
    try:
        before = _cursor(request)
    except BadCursor:
        return _broken_cursor(request)
    if request.htmx and before is not None:
        return _older_posts(
            request, selectors.wall_for(request.user, person, before=before), request.path
        )
    context = selectors.profile_social_context(request.user, person, before=before)
    return render(request, "social/wall.html", {"person": person, **context})


@login_required
@require_POST
def post_create(request: HttpRequest) -> HttpResponse:
    form = PostForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.post_create(
                author=request.user,
                text=form.cleaned_data["text"],
                audience=form.cleaned_data["audience"],
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your post is published."))
            return _redirect_back(request, reverse("social:feed"))
    return render(request, "social/post_form.html", {"form": form}, status=400)


@login_required
@require_GET
def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.post_card_for_user(request.user, post_id)
    comments = Paginator(selectors.comments_of(request.user, post), selectors.COMMENTS_PAGE_SIZE)
    page = comments.get_page(request.GET.get("page") or comments.num_pages)
    return render(
        request,
        "social/post_detail.html",
        {"post": post, "comments": page, "is_last_page": not page.has_next()},
    )


@login_required
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.post_get_for_author(request.user, post_id)
    form = PostEditForm(
        request.POST or None, initial={"text": post.text, "audience": post.audience}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.post_update(
                user=request.user,
                post_id=post.pk,
                text=form.cleaned_data["text"],
                audience=form.cleaned_data["audience"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The post is saved."))
            return redirect("social:post", post_id=post.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "social/post_edit.html", {"post": post, "form": form}, status=status)


@login_required
@require_POST
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    services.post_delete(user=request.user, post_id=post_id)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, _("The post is deleted."))
    return _redirect_back(request, reverse("social:feed"))


@login_required
@require_POST
def post_like(request: HttpRequest, post_id: int) -> HttpResponse:
    liked, count = services.post_like_toggle(user=request.user, post_id=post_id)
    if request.htmx:
        post = Post(pk=post_id)
        post.liked, post.like_count = liked, count
        return render(request, "social/_like_button.html", {"post": post})
    return _redirect_back(request, reverse("social:post", args=[post_id]))


@login_required
@require_GET
def post_likes(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.post_get_for_user(request.user, post_id)
    page = _page(request, selectors.likers_of(request.user, post))
    people = selectors.people_with_relations(request.user, page.object_list)
    return render(request, "social/post_likes.html", {"post": post, "page": page, "people": people})


@login_required
@require_POST
def comment_create(request: HttpRequest, post_id: int) -> HttpResponse:
    form = CommentForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        try:
            comment = services.comment_create(
                author=request.user,
                post_id=post_id,
                text=form.cleaned_data["text"],
                photo=form.cleaned_data["photo"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(m for messages_ in form.errors.values() for m in messages_)
    if request.htmx:
        if error:
            response = render(request, "social/_form_error.html", {"error": error}, status=422)
            response["HX-Retarget"] = f"#comment-error-{post_id}"
            response["HX-Reswap"] = "innerHTML"
            return response
        return render(request, "social/_comment.html", {"comment": comment, "post": comment.post})
    if error:
        messages.error(request, error)
    return _redirect_back(request, reverse("social:post", args=[post_id]))


@login_required
@require_POST
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = services.comment_delete(user=request.user, comment_id=comment_id)
    if request.htmx:
        return HttpResponse("")
    return _redirect_back(request, reverse("social:post", args=[comment.post_id]))


# -- board --------------------------------------------------------------------------------------
@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.board_topics(request.user), selectors.BOARD_PAGE_SIZE)
    return render(request, "social/board.html", {"page": page})


@login_required
def topic_create(request: HttpRequest) -> HttpResponse:
    form = TopicForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(
                author=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("social:topic", topic_id=topic.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "social/topic_form.html", {"form": form}, status=status)


def _topic_page(request: HttpRequest, topic, form: ReplyForm, *, status: int = 200):
    replies = _page(request, selectors.topic_replies(request.user, topic), selectors.PAGE_SIZE)
    context = {
        "topic": topic,
        "replies": replies,
        "form": form,
        "can_moderate": selectors.can_moderate_board(request.user),
    }
    return render(request, "social/topic_detail.html", context, status=status)


@login_required
@require_GET
def topic_detail(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = selectors.topic_get_for_user(request.user, topic_id)
    return _topic_page(request, topic, ReplyForm())


@login_required
@require_POST
def reply_create(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = selectors.topic_get_for_user(request.user, topic_id)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            reply = services.reply_create(
                author=request.user,
                topic_id=topic.pk,
                text=form.cleaned_data["text"],
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            last = Paginator(selectors.topic_replies(request.user, topic), selectors.PAGE_SIZE)
            target = reverse("social:topic", args=[topic.pk])
            return redirect(f"{target}?page={last.num_pages}#reply-{reply.pk}")
    return _topic_page(request, topic, form, status=400)


@login_required
@require_POST
def topic_delete(request: HttpRequest, topic_id: int) -> HttpResponse:
    services.topic_delete(user=request.user, topic_id=topic_id)
    messages.success(request, _("The topic is deleted."))
    return redirect("social:board")


@login_required
@require_POST
def reply_delete(request: HttpRequest, reply_id: int) -> HttpResponse:
    topic = services.reply_delete(user=request.user, reply_id=reply_id)
    messages.success(request, _("The reply is deleted."))
    return _redirect_back(request, reverse("social:topic", args=[topic.pk]))


# -- photos of posts and comments: only for people who may see the post -----------------------
def _photo_response(request: HttpRequest, name: str) -> HttpResponseBase:
    return serve_private_file(name, content_type="image/jpeg", filename="photo.jpg", inline=True)


def _signed_in_or_404(request: HttpRequest) -> None:
    # An <img> has nowhere to go after a login redirect; a logged-out visitor learns nothing.
    if not request.user.is_authenticated:
        raise Http404


@session_or_token
@require_GET
def post_photo(request: HttpRequest, post_id: int, photo_id: int) -> HttpResponseBase:
    _signed_in_or_404(request)
    photo = selectors.post_photo_get_for_user(request.user, post_id, photo_id)
    return _photo_response(request, photo.image.name)


@session_or_token
@require_GET
def post_photo_thumb(request: HttpRequest, post_id: int, photo_id: int) -> HttpResponseBase:
    _signed_in_or_404(request)
    photo = selectors.post_photo_get_for_user(request.user, post_id, photo_id)
    # Until the thumbnail task has run, the photo itself (never a broken picture).
    return _photo_response(request, (photo.thumbnail or photo.image).name)


@session_or_token
@require_GET
def comment_photo(request: HttpRequest, comment_id: int) -> HttpResponseBase:
    _signed_in_or_404(request)
    comment = selectors.comment_get_for_user(request.user, comment_id)
    if not comment.photo:
        raise Http404
    return _photo_response(request, comment.photo.name)


@session_or_token
@require_GET
def comment_photo_thumb(request: HttpRequest, comment_id: int) -> HttpResponseBase:
    _signed_in_or_404(request)
    comment = selectors.comment_get_for_user(request.user, comment_id)
    if not comment.photo:
        raise Http404
    # Until the thumbnail task has run, the photo itself (never a broken picture).
    return _photo_response(request, (comment.photo_thumbnail or comment.photo).name)
