"""Account pages beyond allauth's: profiles, profile editing, blocks."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import AvatarForm, DeleteAccountForm, ProfileForm
from accounts.relations import friend_graph


def _next_or(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
def profile(request: HttpRequest, username: str) -> HttpResponse:
    page = selectors.profile_page_get(request.user, username)
    context = {"page": page, "person": page.person}
    if not page.blocked_by_viewer:
        # Friend button, mutual friends and the wall come from the social app.
        context.update(friend_graph().profile_context(request.user, page.person))
    return render(request, "accounts/profile.html", context)


def _profile_edit_page(
    request: HttpRequest, *, form: ProfileForm | None = None, avatar_form: AvatarForm | None = None
) -> HttpResponse:
    context = {
        "form": form or ProfileForm(user=request.user),
        "avatar_form": avatar_form or AvatarForm(),
        "avatars": selectors.avatars_of(request.user),
        "settings_page": "profile",
    }
    return render(request, "accounts/profile_edit.html", context)


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.profile_update(
            user=request.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            bio=data["bio"],
            gender=data["gender"],
            birth_date=data["birth_date"],
            birth_date_visibility=data["birth_date_visibility"],
        )
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile_edit")
    return _profile_edit_page(request, form=form)


@login_required
@require_POST
def avatar_upload(request: HttpRequest) -> HttpResponse:
    form = AvatarForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.avatar_upload(
                user=request.user,
                uploaded_file=form.cleaned_data["image"],
                crop=form.cleaned_data["crop"],
            )
        except ValidationError as error:
            form.add_error("image", error)
        else:
            messages.success(request, _("Your new picture is on your profile."))
            return redirect("accounts:profile_edit")
    return _profile_edit_page(request, avatar_form=form)


@login_required
@require_POST
def avatar_use(request: HttpRequest, avatar_id: int) -> HttpResponse:
    services.avatar_set_current(user=request.user, avatar_id=avatar_id)
    messages.success(request, _("Your profile shows this picture again."))
    return redirect("accounts:profile_edit")


@login_required
@require_POST
def avatar_delete(request: HttpRequest, avatar_id: int) -> HttpResponse:
    services.avatar_delete(user=request.user, avatar_id=avatar_id)
    messages.success(request, _("The picture is deleted."))
    return redirect("accounts:profile_edit")


@login_required
@require_POST
def block(request: HttpRequest, username: str) -> HttpResponse:
    person = selectors.user_get_visible(request.user, username)
    if person.pk == request.user.pk:
        raise Http404
    services.block_create(blocker=request.user, blocked=person)
    messages.success(
        request,
        _("You blocked %(name)s. You won't see each other anywhere on the site.")
        % {"name": person.display_name},
    )
    return redirect("accounts:blocked")


@login_required
@require_POST
def unblock(request: HttpRequest, username: str) -> HttpResponse:
    person = selectors.blocked_user_get(request.user, username)
    services.block_delete(blocker=request.user, blocked=person)
    messages.success(request, _("You unblocked %(name)s.") % {"name": person.display_name})
    return redirect(_next_or(request, "accounts:blocked"))


@login_required
def blocked(request: HttpRequest) -> HttpResponse:
    people = selectors.blocked_users(request.user)
    return render(request, "accounts/blocked.html", {"people": people, "settings_page": "blocked"})


@login_required
@reauthentication_required(allow_get=True)
def delete_account(request: HttpRequest) -> HttpResponse:
    # allauth asks for the password (or a second factor) first and then replays this POST.
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.account_delete(user=request.user)
        logout(request)
        messages.success(request, _("Your account is deleted. Goodbye!"))
        return redirect("account_login")
    return render(request, "accounts/delete.html", {"form": form, "settings_page": "delete"})
