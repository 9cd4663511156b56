from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone

from peerhaven.accounts.choices import CareerStage
from peerhaven.sponsorship import board
from peerhaven.sponsorship.models import Opportunity
from peerhaven.sponsorship.opportunity_actions import (
    CIRCLE_NOT_ON_BEHALF,
    audience_choices,
    behalf_choices,
    current_audience,
)

# Lengths for the text the model stores encrypted (so the columns themselves have none).
MAX_TITLE = 200
MAX_OFFERED_BY = 200
MAX_DESCRIPTION = 5000
MAX_ELIGIBILITY = 2000
MAX_HOW_TO_APPLY = 3000

AUDIENCE_GROUPS = {
    Opportunity.Audience.ORGANIZATION: "Organizations you post for",
    Opportunity.Audience.COMMUNITY: "Your communities",
    Opportunity.Audience.CIRCLE: "Your circles",
}


def _text(label: str, limit: int, *, required: bool = False, rows: int = 0, **kwargs):
    """A text field whose length error names the limit and the length given."""
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        widget=widget,
        error_messages={
            "max_length": f"Keep this to {limit:,} characters or fewer; it has %(show_value)d.",
            "required": "Fill this in.",
        },
        **kwargs,
    )


class WebLinkField(forms.URLField):
    """A web page's address: http or https only, so no ``javascript:`` or ``data:`` link
    ever reaches a page (Django's own check also allows ftp)."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class OpportunityForm(forms.ModelForm):
    title = _text("Title", MAX_TITLE, required=True)
    offered_by = _text(
        "Organization offering it",
        MAX_OFFERED_BY,
        help_text="The society, journal or institution that gives it.",
    )
    description = _text("Description", MAX_DESCRIPTION, rows=6, help_text="Plain text.")
    career_stages = forms.MultipleChoiceField(
        label="Career stages it is open to",
        choices=CareerStage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none if any career stage may apply.",
        error_messages={"invalid_choice": "Choose career stages from the list."},
    )
    eligibility = _text("Other eligibility", MAX_ELIGIBILITY, rows=3)
    how_to_apply = _text("How to apply or nominate", MAX_HOW_TO_APPLY, rows=4)
    link = WebLinkField(
        label="Link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A web page about it, starting with https:// or http://.",
        error_messages={"invalid": "Give a web address starting with https:// or http://."},
    )
    audience = forms.ChoiceField(
        label="Who can see it",
        error_messages={
            "required": "Choose who can see it.",
            "invalid_choice": "Choose who can see it from the list.",
        },
    )
    on_behalf = forms.ChoiceField(
        label="Post on behalf of",
        required=False,
        help_text="Posted on an organization's behalf, the nominations for it are counted "
        "in that organization's equity view. An opportunity for an organization's people "
        "is always posted on its behalf.",
        error_messages={"invalid_choice": "Choose an organization from the list."},
    )

    class Meta:
        model = Opportunity
        fields = [
            "kind",
            "title",
            "offered_by",
            "description",
            "career_stages",
            "eligibility",
            "deadline",
            "how_to_apply",
            "link",
            "self_nomination_allowed",
        ]
        labels = {
            "kind": "What kind",
            "self_nomination_allowed": "People may nominate themselves",
        }
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance if self.instance.pk else None
        self.audiences = audience_choices(user, current=current)
        self.fields["audience"].choices = _grouped(self.audiences.values())
        self.organizations = {str(org.pk): org for org in behalf_choices(user, current=current)}
        self._set_initial_placement(current)
        self.fields["deadline"].error_messages["invalid"] = "Give the deadline as a date."

    def _set_initial_placement(self, current):
        if not self.organizations:
            del self.fields["on_behalf"]
        else:
            self.fields["on_behalf"].choices = [("", "Yourself")] + [
                (pk, org.name) for pk, org in self.organizations.items()
            ]
        if current is not None:
            self.initial["audience"] = current_audience(current).key
            self.initial["on_behalf"] = str(current.organization_id or "")

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        # On edit, a deadline that has passed may stay as it is (the rest can be corrected).
        unchanged = self.instance.pk is not None and deadline == self.instance.deadline
        if deadline < timezone.localdate() and not unchanged:
            raise forms.ValidationError("The deadline must be today or later.")
        return deadline

    def clean_on_behalf(self):
        return self.organizations.get(self.cleaned_data.get("on_behalf") or "")

    def clean(self):
        cleaned = super().clean()
        choice = self.audiences.get(cleaned.get("audience", ""))
        behalf = cleaned.get("on_behalf")
        if choice and choice.organization and behalf and behalf != choice.organization:
            self.add_error(
                "on_behalf",
                f"Shown to the people of {choice.organization.name}, it is posted on its "
                "behalf: choose it here, or leave this as yourself.",
            )
        if choice and choice.circle and behalf:
            self.add_error("on_behalf", CIRCLE_NOT_ON_BEHALF)
        return cleaned


def _grouped(choices) -> list:
    """Everyone first, then one group per kind of audience (a circle and a community may
    share a name; the group tells them apart)."""
    flat = [(c.key, c.label) for c in choices if c.audience == Opportunity.Audience.EVERYONE]
    for audience, heading in AUDIENCE_GROUPS.items():
        group = [(c.key, c.label) for c in choices if c.audience == audience]
        if group:
            flat.append((heading, group))
    return flat


class BoardFilterForm(forms.Form):
    """The board's filters, read from the query string. A value that is not one of the
    choices is dropped (see ``checked``): a stale bookmark shows the board, not an error."""

    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "All kinds"), *Opportunity.Kind.choices]
    )
    stage = forms.ChoiceField(
        label="Career stage",
        required=False,
        choices=[("", "Any career stage"), *CareerStage.choices],
    )
    deadline = forms.ChoiceField(label="Deadline", required=False, choices=board.DEADLINE_CHOICES)
    following = forms.BooleanField(label="Only ones I follow", required=False)
    mine = forms.BooleanField(label="Posted by me", required=False)

    @classmethod
    def checked(cls, query) -> tuple[BoardFilterForm, dict]:
        """The form to show (unbound, so nothing shows as an error) and the filters."""
        bound = cls(query)
        bound.is_valid()
        filters = {name: bound.cleaned_data[name] for name in cls.base_fields
                   if name in bound.cleaned_data}  # fmt: skip
        filters["deadline"] = filters.get("deadline") or board.OPEN
        return cls(initial=filters), filters
