"""Forms of the account pages: profile, avatar upload, account deletion."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.birthdays import BirthDate, parse_birth_date, validate_birth_date
from accounts.models import User


def format_birth_date(value: BirthDate | None) -> str:
    if value is None:
        return ""
    text = f"{value.day:02d}.{value.month:02d}"
    return f"{text}.{value.year}" if value.year else text


def _model_field(name: str, **kwargs) -> forms.Field:
    return User._meta.get_field(name).formfield(**kwargs)


class ProfileForm(forms.Form):
    """Names, bio, gender and a birth date typed (DD.MM[.YYYY]) or picked on a calendar.

    Both birth-date inputs are on the page; whichever the person changed wins, so the form
    works without JavaScript and clearing the typed date removes the birthday.
    """

    birth_date_text = forms.CharField(
        label=_("Birth date"),
        required=False,
        max_length=10,
        help_text=_("DD.MM.YYYY, or DD.MM to keep the year (and your age) hidden."),
        widget=forms.TextInput(
            attrs={"placeholder": _("DD.MM.YYYY"), "inputmode": "numeric", "autocomplete": "bday"}
        ),
    )
    birth_date_picker = forms.DateField(
        label=_("or pick it on a calendar"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )

    first_name = _model_field("first_name")
    last_name = _model_field("last_name")
    bio = _model_field("bio", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    gender = _model_field("gender")
    birth_date_visibility = _model_field("birth_date_visibility", widget=forms.RadioSelect)

    def __init__(self, *args, user: User, **kwargs) -> None:
        initial = {
            name: getattr(user, name)
            for name in ("first_name", "last_name", "bio", "gender", "birth_date_visibility")
        }
        super().__init__(*args, initial=initial, **kwargs)
        born = user.birth_date
        self.fields["birth_date_text"].initial = format_birth_date(born)
        if born and born.year:
            self.fields[
                "birth_date_picker"
            ].initial = f"{born.year:04d}-{born.month:02d}-{born.day:02d}"
        self.fields["birth_date_picker"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.order_fields(
            ["first_name", "last_name", "bio", "gender", "birth_date_text", "birth_date_picker"]
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        today = timezone.localdate()
        if "birth_date_picker" in self.changed_data and "birth_date_text" not in self.changed_data:
            picked = cleaned.get("birth_date_picker")
            if "birth_date_picker" in self.errors:
                return cleaned
            born = None if picked is None else BirthDate(picked.day, picked.month, picked.year)
            try:
                cleaned["birth_date"] = born and validate_birth_date(born, today=today)
            except forms.ValidationError as error:
                self.add_error("birth_date_picker", error)
        else:
            try:
                cleaned["birth_date"] = parse_birth_date(
                    cleaned.get("birth_date_text") or "", today=today
                )
            except forms.ValidationError as error:
                self.add_error("birth_date_text", error)
        return cleaned


class AvatarForm(forms.Form):
    """A picture and, from the cropper, the chosen square in the picture's own pixels."""

    image = forms.FileField(
        label=_("New picture"),
        help_text=_("JPEG, PNG, WebP or GIF. You can choose the part to show after picking it."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    crop_x = forms.FloatField(required=False, widget=forms.HiddenInput)
    crop_y = forms.FloatField(required=False, widget=forms.HiddenInput)
    crop_width = forms.FloatField(required=False, min_value=1, widget=forms.HiddenInput)
    crop_height = forms.FloatField(required=False, min_value=1, widget=forms.HiddenInput)

    CROP_FIELDS = ("crop_x", "crop_y", "crop_width", "crop_height")

    def clean(self) -> dict:
        cleaned = super().clean()
        values = [cleaned.get(name) for name in self.CROP_FIELDS]
        if any(name in self.errors for name in self.CROP_FIELDS) or (
            any(v is not None for v in values) and any(v is None for v in values)
        ):
            raise forms.ValidationError(
                _("The selected area is not valid. Choose the area again."), code="crop"
            )
        cleaned["crop"] = None if values[0] is None else tuple(values)
        return cleaned


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account is deleted for good and cannot be restored."),
        error_messages={"required": _("Tick the box to confirm that you want to delete it.")},
    )
