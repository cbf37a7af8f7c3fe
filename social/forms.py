"""Forms of the social pages: they parse and label input; services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from social.models import (
    COMMENT_TEXT_MAX,
    POST_TEXT_MAX,
    REPLY_TEXT_MAX,
    TOPIC_BODY_MAX,
    TOPIC_TITLE_MAX,
    Audience,
)

IMAGE_ACCEPT = "image/jpeg,image/png,image/gif,image/webp"


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Zero or more uploaded files; how many, and whether each is a photo we can read, is
    decided by the service (the same rules as the API's)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": IMAGE_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


def text_field(label, *, limit: int, rows: int, **attrs) -> forms.CharField:
    """Optional multi-line text of at most `limit` characters (the service decides if empty
    text is acceptable, e.g. with a photo)."""
    return forms.CharField(
        label=label,
        max_length=limit,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows, **attrs}),
    )


def photos_field() -> MultiplePhotoField:
    return MultiplePhotoField(
        label=_("Photos"), help_text=_("Up to 10 photos: JPEG, PNG, GIF or WebP.")
    )


class PostForm(forms.Form):
    text = text_field(_("What's new?"), limit=POST_TEXT_MAX, rows=3, placeholder=_("What's new?"))
    audience = forms.ChoiceField(
        label=_("Who can see it"), choices=Audience.choices, initial=Audience.FRIENDS
    )
    photos = photos_field()


class PostEditForm(forms.Form):
    text = text_field(_("Text"), limit=POST_TEXT_MAX, rows=6)
    audience = forms.ChoiceField(label=_("Who can see it"), choices=Audience.choices)


class CommentForm(forms.Form):
    text = text_field(_("Comment"), limit=COMMENT_TEXT_MAX, rows=1)
    photo = forms.FileField(
        label=_("Photo"), required=False, widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT})
    )


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TOPIC_TITLE_MAX, strip=True)
    body = text_field(_("Text"), limit=TOPIC_BODY_MAX, rows=8)
    photos = photos_field()


class ReplyForm(forms.Form):
    text = text_field(_("Your reply"), limit=REPLY_TEXT_MAX, rows=4)
    photos = photos_field()
