from __future__ import annotations

import zoneinfo
from functools import cache

from django import forms

from peerhaven.accounts import availability
from peerhaven.accounts.choices import Specialty
from peerhaven.accounts.models import (
    SENSITIVE_VALUES,
    Interest,
    Profile,
    SelfDescription,
    SensitiveAttribute,
    SensitiveVisibility,
    Separation,
)

MAX_INTERESTS = 15


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")
    return [(zone, zone.replace("_", " ")) for zone in zones]


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth calls ``signup`` after creating the
    user)."""

    display_name = forms.CharField(
        label="Your name",
        max_length=120,
        help_text="As colleagues know you, e.g. “Maya Okafor, MD”.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["display_name", "email", "password1", "password2"]

    def signup(self, request, user):
        Profile.objects.update_or_create(
            user=user, defaults={"display_name": self.cleaned_data["display_name"]}
        )


class ProfileForm(forms.ModelForm):
    interest_tags = forms.CharField(
        label="Research and clinical interests",
        required=False,
        help_text="Separate with commas, e.g. “medical education, health equity, sepsis”.",
    )
    time_zone = forms.ChoiceField(choices=time_zone_choices)

    class Meta:
        model = Profile
        fields = [
            "display_name",
            "pronouns",
            "career_stage",
            "rank_since_year",
            "track",
            "institution",
            "department",
            "specialty",
            "specialty_other",
            "interest_tags",
            "interests_text",
            "goals",
            "time_zone",
            "city",
            "region",
            "country",
            "meeting_preference",
        ]
        widgets = {
            "interests_text": forms.Textarea(attrs={"rows": 3}),
            "goals": forms.Textarea(attrs={"rows": 3}),
            "rank_since_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {
            "pronouns": "Optional, e.g. she/her, he/him, they/them.",
            "rank_since_year": "Used to find peers within a few years of your rank.",
            "department": "e.g. Medicine, Pediatrics, Surgery.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            names = self.instance.interests.values_list("name", flat=True)
            self.initial.setdefault("interest_tags", ", ".join(names))
        for name in ("career_stage", "department", "display_name"):
            self.fields[name].required = True

    def clean_interest_tags(self):
        names = [n.strip() for n in self.cleaned_data["interest_tags"].split(",") if n.strip()]
        unique = list(dict.fromkeys(names))
        if len(unique) > MAX_INTERESTS:
            raise forms.ValidationError(f"Choose at most {MAX_INTERESTS} interests.")
        if any(len(name) > 60 for name in unique):
            raise forms.ValidationError("Keep each interest under 60 characters.")
        return unique

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("specialty") == Specialty.OTHER and not cleaned.get("specialty_other"):
            self.add_error("specialty_other", "Tell us your specialty.")
        return cleaned

    def _save_m2m(self):
        super()._save_m2m()
        self.instance.interests.set(Interest.from_names(self.cleaned_data["interest_tags"]))


class AvailabilityForm(forms.Form):
    slots = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        choices=[(str(i), str(i)) for i in range(availability.SLOTS_PER_WEEK)],
        error_messages={"invalid_choice": "That is not a half-hour slot of the week."},
    )


class SeparationForm(forms.ModelForm):
    class Meta:
        model = Separation
        fields = ["relation", "email"]
        labels = {"email": "Their e-mail address"}

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["relation"].choices = Separation.Relation.choices  # no empty choice

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if email == self.owner.email.lower():
            raise forms.ValidationError("That is your own address.")
        if self.owner.separations.filter(email__iexact=email).exists():
            raise forms.ValidationError("You have already listed this person.")
        return email

    def save(self, commit=True):
        self.instance.owner = self.owner
        return super().save(commit)


class SensitiveConsentForm(forms.Form):
    agree = forms.BooleanField(
        label=(
            "I choose to describe myself here. I understand each answer is optional, "
            "encrypted, visible only as I decide, and that I can delete it all at any time."
        ),
        error_messages={"required": "Tick the box to go on, or leave this page: it is optional."},
    )


# What a research export would show of each answer (see outcomes/research_export.py).
RESEARCH_CATEGORIES = {
    SensitiveAttribute.GENDER: "Exported only as woman, man or another gender identity.",
    SensitiveAttribute.UNDER_REPRESENTED: "Exported only as yes or no.",
    SensitiveAttribute.FIRST_GENERATION: "Exported only as yes or no.",
    SensitiveAttribute.CAREGIVER: "Exported only as yes (any caregiving) or no.",
    SensitiveAttribute.DUAL_CAREER: "Exported only as yes or no.",
}
# The answers an organization's sponsorship equity view can count (sponsorship/equity.py):
# only these offer the choice, so no box promises a use that never happens.
EQUITY_ATTRIBUTES = (SensitiveAttribute.GENDER, SensitiveAttribute.UNDER_REPRESENTED)


class SelfDescriptionForm(forms.Form):
    """One value, visibility, matching and research choice per sensitive attribute, and
    the equity-report choice for those an equity view counts. An empty value means “not
    stated”: the stored answer, if any, is deleted."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        stored = {d.attribute: d for d in SelfDescription.objects.filter(user=user)}
        for attribute in SensitiveAttribute:
            self._add_attribute_fields(attribute, stored.get(attribute))

    def _add_attribute_fields(self, attribute, stored):
        self.fields[f"{attribute}_value"] = forms.ChoiceField(
            label="Your answer",
            required=False,
            choices=[("", "Prefer not to say")] + SENSITIVE_VALUES[attribute],
            initial=stored.value if stored else "",
        )
        self.fields[f"{attribute}_visibility"] = forms.ChoiceField(
            label="Who can see this",
            choices=SensitiveVisibility.choices,
            initial=stored.visibility if stored else SensitiveVisibility.ONLY_ME,
        )
        self.fields[f"{attribute}_matching"] = forms.BooleanField(
            label="Matching may use this",
            required=False,
            initial=stored.matching_allowed if stored else False,
        )
        self.fields[f"{attribute}_research"] = forms.BooleanField(
            label=(
                "May be included, as a coarse category, in de-identified research exports "
                "of programs I join"
            ),
            required=False,
            initial=stored.research_allowed if stored else False,
            help_text=RESEARCH_CATEGORIES[attribute],
        )
        if attribute in EQUITY_ATTRIBUTES:
            self.fields[f"{attribute}_equity"] = forms.BooleanField(
                label=(
                    "Count me, in aggregates of five or more, in equity reports of who gets "
                    "nominated and selected"
                ),
                required=False,
                initial=stored.equity_allowed if stored else False,
                help_text="Counted by organizations whose opportunities you are nominated for.",
            )

    def attribute_rows(self):
        for attribute in SensitiveAttribute:
            yield (
                attribute.label,
                self[f"{attribute}_value"],
                self[f"{attribute}_visibility"],
                self[f"{attribute}_matching"],
                self[f"{attribute}_research"],
                self[f"{attribute}_equity"] if attribute in EQUITY_ATTRIBUTES else None,
            )

    def answers(self) -> dict[str, dict]:
        return {
            attribute: {
                "value": self.cleaned_data[f"{attribute}_value"],
                "visibility": self.cleaned_data[f"{attribute}_visibility"],
                "matching_allowed": self.cleaned_data[f"{attribute}_matching"],
                "research_allowed": self.cleaned_data[f"{attribute}_research"],
                "equity_allowed": self.cleaned_data.get(f"{attribute}_equity", False),
            }
            for attribute in SensitiveAttribute
        }
