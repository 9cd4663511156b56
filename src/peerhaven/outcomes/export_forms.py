from __future__ import annotations

from django import forms

from peerhaven.outcomes.research_export import Contents


class WaveChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, wave):
        return (
            f"{wave.label} · {wave.instrument.name} · {wave.months_after_start} months "
            f"after the start (opened {wave.opens_on:%Y-%m})"
        )


class ResearchExportForm(forms.Form):
    """What to export, and the researcher's password again: an export is a deliberate act
    of the person signed in, not of whoever finds their browser open."""

    participants = forms.BooleanField(
        label="Participants: career stage, track, specialty, years in rank, month of "
        "application, and self-description where the member allowed it",
        required=False,
        initial=True,
    )
    waves = WaveChoiceField(
        label="Survey waves",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Every wave is ticked; untick any you do not need.",
    )
    achievements = forms.BooleanField(
        label="Achievement counts per kind and year, relative to the program's start",
        required=False,
        initial=True,
    )
    password = forms.CharField(
        label="Your Peerhaven password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Asked again for every export.",
    )

    def __init__(self, *args, waves, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["waves"].queryset = waves
        self.fields["waves"].initial = [wave.pk for wave in waves]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.has_usable_password():
            raise forms.ValidationError(
                "Your account has no password (you sign in through your institution). "
                "Set one in your account settings to export data."
            )
        if not self.user.check_password(password):
            raise forms.ValidationError("That password is not right. Nothing was exported.")
        return password

    def clean(self):
        cleaned = super().clean()
        chosen = (cleaned.get("participants"), cleaned.get("waves"), cleaned.get("achievements"))
        if not any(chosen) and "waves" not in self.errors:
            raise forms.ValidationError("Choose at least one part of the dataset.")
        return cleaned

    @property
    def wrong_password(self) -> bool:
        return "password" in self.errors

    def contents(self) -> Contents:
        data = self.cleaned_data
        return Contents(data["participants"], tuple(data["waves"]), data["achievements"])
