"""Forms of the chat pages. They parse input; the rules live in chats/services/."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chats.models import REASON_MAX_LENGTH, TITLE_MAX_LENGTH


class FriendChoiceField(forms.ModelMultipleChoiceField):
    """Friends picked by username, labelled "Display Name (@username)"."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} (@{obj.username})"


class GroupCreateForm(forms.Form):
    title = forms.CharField(label=_("Group name"), max_length=TITLE_MAX_LENGTH)
    members = FriendChoiceField(
        label=_("Members"),
        queryset=None,
        to_field_name="username",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pick friends to invite; you can add more later."),
    )

    def __init__(self, *args, friends, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = friends


class GroupRenameForm(forms.Form):
    title = forms.CharField(label=_("Group name"), max_length=TITLE_MAX_LENGTH)


class GroupAvatarForm(forms.Form):
    avatar = forms.FileField(label=_("Group photo"))


class MembersAddForm(forms.Form):
    members = FriendChoiceField(
        label=_("Add friends"),
        queryset=None,
        to_field_name="username",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, friends, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = friends


class MemberRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), max_length=REASON_MAX_LENGTH, required=False
    )


class AttachmentForm(forms.Form):
    """A file; a voice message or circle also gives its kind, length and waveform (JSON)."""

    file = forms.FileField(label=_("File"), allow_empty_file=True)
    kind = forms.ChoiceField(
        choices=[("", "-"), ("voice", "voice"), ("circle", "circle")], required=False
    )
    duration = forms.CharField(max_length=20, required=False)
    waveform = forms.JSONField(required=False)
