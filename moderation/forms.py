from django import forms
from django.utils.translation import gettext_lazy as _

from moderation.models import DETAILS_MAX_LENGTH, Report


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=Report.Reason.choices)
    details = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        required=False,
        max_length=DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
