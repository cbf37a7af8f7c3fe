from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Kind


class NotificationSettingsForm(forms.Form):
    """Which kinds notify me (ticked = on), and the email digest."""

    kinds = forms.MultipleChoiceField(
        label=_("Notify me about"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    email_digest = forms.BooleanField(
        label=_("Email me a digest of unread notifications"),
        required=False,
        help_text=_("Sent now and then with what you have not read yet, never twice."),
    )

    def muted_kinds(self) -> list[str]:
        return [kind for kind in Kind.values if kind not in self.cleaned_data["kinds"]]
