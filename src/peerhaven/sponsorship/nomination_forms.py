"""Forms for nominating, editing a statement and asking for a letter. They read what was
typed and find the person meant; the rules (deadline, self-nomination, duplicates, who may
take part) are the actions' to apply."""

from __future__ import annotations

from django import forms

from peerhaven.sponsorship.nomination_actions import MAX_NOTE, MAX_STATEMENT
from peerhaven.sponsorship.nominations import account_for_email

SELF = "self"
BY_EMAIL = "email"


def refuse_if_longer(value: str, limit: int, what: str) -> str:
    """Names the limit and the length given, so a pasted 100 KB text gets a useful answer."""
    if len(value) > limit:
        raise forms.ValidationError(
            f"{what} can be at most {limit:,} characters; this one has {len(value):,}."
        )
    return value


class _PersonForm(forms.Form):
    """A radio list of peers, "someone else" by e-mail address and, where offered,
    "Myself". ``person`` in cleaned_data is the account meant, or None when an address
    matched no account (the action then refuses with its one message)."""

    choice_field = "person_choice"
    email = forms.EmailField(
        label="Their e-mail address",
        required=False,
        help_text="Only for “Someone else”: the address they use on Peerhaven.",
    )

    def __init__(self, *args, user, peers, offer_self=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.peers = {str(peer.pk): peer for peer in peers}
        choices = [(pk, peer.display_name) for pk, peer in self.peers.items()]
        if offer_self:
            choices.append((SELF, "Myself"))
        choices.append((BY_EMAIL, "Someone else, by e-mail address"))
        self.fields[self.choice_field].widget.choices = choices
        self.fields[self.choice_field].initial = None if len(choices) > 1 else BY_EMAIL

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get(self.choice_field)
        if choice == BY_EMAIL and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", "Give their e-mail address.")
        if choice and not self.errors:
            cleaned["person"] = self._person(choice, cleaned.get("email", ""))
        return cleaned

    def _person(self, choice: str, email: str):
        if choice == SELF:
            return self.user
        if choice == BY_EMAIL:
            return account_for_email(email)
        return self.peers[choice]

    def _clean_choice(self) -> str:
        choice = self.cleaned_data[self.choice_field]
        # "Myself" is read even where it is not offered: the action then says why not.
        if choice not in self.peers and choice not in (SELF, BY_EMAIL):
            raise forms.ValidationError("Choose someone from the list, or give an address.")
        return choice

    @property
    def person_error_field(self) -> str:
        """Where a refusal about the person chosen is shown."""
        return (
            "email" if self.cleaned_data.get(self.choice_field) == BY_EMAIL else (self.choice_field)
        )


class NominateForm(_PersonForm):
    choice_field = "nominee"
    nominee = forms.CharField(label="Whom do you nominate?", widget=forms.RadioSelect)
    statement = forms.CharField(
        label="Your statement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"Why they should be chosen, up to {MAX_STATEMENT:,} characters. Only you "
        "and the nominee read it; you can change it until the nomination is submitted.",
    )
    field_order = ["nominee", "email", "statement"]

    def clean_nominee(self):
        return self._clean_choice()

    def clean_statement(self):
        return refuse_if_longer(self.cleaned_data["statement"], MAX_STATEMENT, "A statement")


class StatementForm(forms.Form):
    statement = forms.CharField(
        label="Your statement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=f"Up to {MAX_STATEMENT:,} characters. Only you and the nominee read it.",
    )

    def clean_statement(self):
        return refuse_if_longer(self.cleaned_data["statement"], MAX_STATEMENT, "A statement")


class LetterRequestForm(_PersonForm):
    choice_field = "writer"
    writer = forms.CharField(label="Whom do you ask for a letter?", widget=forms.RadioSelect)
    note = forms.CharField(
        label="A note to the writer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"What the letter should cover, up to {MAX_NOTE:,} characters. The writer "
        "reads it; they never see the statement.",
    )
    field_order = ["writer", "email", "note"]

    def clean_writer(self):
        return self._clean_choice()

    def clean_note(self):
        return refuse_if_longer(self.cleaned_data["note"], MAX_NOTE, "A note")
