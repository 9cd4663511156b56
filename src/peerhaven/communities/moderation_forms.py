"""Forms for the moderators' and owners' pages (``moderation_views.py``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from peerhaven.communities import autorules
from peerhaven.communities.forms import RULE_SEPARATOR, CommunityForm, rules_as_text
from peerhaven.communities.models import AutoRule, Community, Rule
from peerhaven.communities.moderation import MAX_MUTE_DAYS

MAX_RULES = 30
MAX_RULE_TITLE = 160
MAX_RULE_DETAILS = 2000


class SettingsForm(CommunityForm):
    """The starting form without the rules, which have their own page, plus the knobs a
    community grows into: holding first posts and the posting rate."""

    class Meta(CommunityForm.Meta):
        fields = [*CommunityForm.Meta.fields, "hold_first_posts", "posts_per_hour"]

    def __init__(self, data=None, *, community: Community, **kwargs):
        questions = "\n".join(question.text for question in community.questions.all())
        super().__init__(data, instance=community, initial={"questions_text": questions}, **kwargs)
        del self.fields["rules_text"]


class RulesForm(forms.Form):
    rules_text = forms.CharField(
        label="Rules",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=f"One rule per line, “Title{RULE_SEPARATOR}details” (details are optional), "
        "in the order they are numbered. Every member agrees again before their next post.",
    )

    def __init__(self, data=None, *, community: Community, **kwargs):
        super().__init__(data, initial={"rules_text": rules_as_text(community)}, **kwargs)

    def clean_rules_text(self) -> list[tuple[str, str]]:
        rules, problems = [], []
        lines = [line.strip() for line in self.cleaned_data["rules_text"].splitlines()]
        for number, line in enumerate(filter(None, lines), start=1):
            # A leading space lets a line that starts with the separator read as untitled.
            title, _, details = (part.strip() for part in f" {line}".partition(RULE_SEPARATOR))
            if not title:
                problems.append(f"Rule {number} has details but no title.")
            elif len(title) > MAX_RULE_TITLE:
                problems.append(
                    f"Rule {number}'s title is {len(title)} characters; keep it to "
                    f"{MAX_RULE_TITLE} and put the rest after “{RULE_SEPARATOR.strip()}”."
                )
            elif len(details) > MAX_RULE_DETAILS:
                problems.append(f"Rule {number}'s details are over {MAX_RULE_DETAILS} characters.")
            rules.append((title, details))
        if problems:
            raise ValidationError(problems)
        if not rules:
            raise ValidationError("Write at least one rule.")
        if len(rules) > MAX_RULES:
            raise ValidationError(f"Keep to {MAX_RULES} rules; members read them all.")
        return rules


class AutoRuleForm(forms.ModelForm):
    class Meta:
        model = AutoRule
        fields = ["patterns", "rule", "action"]
        labels = {"rule": "Posted rule it enforces", "action": "When a post matches"}
        widgets = {"patterns": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, data=None, *, community: Community, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["rule"].queryset = community.rules.all()
        self.fields["rule"].empty_label = "None (a moderator reviews the post)"

    def clean_patterns(self) -> str:
        patterns = self.cleaned_data["patterns"]
        autorules.compile_patterns(patterns)  # raises naming the line that does not compile
        return "\n".join(line.strip() for line in patterns.splitlines() if line.strip())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == AutoRule.Action.REJECT and not cleaned.get("rule"):
            self.add_error(
                "rule", "A post that is refused needs a reason: choose the rule it breaks."
            )
        return cleaned


class PostActionForm(forms.Form):
    ACTIONS = ["approve", "hide", "remove", "restore", "lock", "unlock", "dismiss"]

    action = forms.ChoiceField(choices=[(action, action) for action in ACTIONS])
    rule = forms.ModelChoiceField(queryset=Rule.objects.none(), required=False)
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, data, *, community: Community):
        super().__init__(data)
        self.fields["rule"].queryset = community.rules.all()


class MemberActionForm(forms.Form):
    ACTIONS = [
        "warn", "mute", "unmute", "remove", "ban", "moderator", "member", "admit", "decline",
    ]  # fmt: skip

    action = forms.ChoiceField(choices=[(action, action) for action in ACTIONS])
    rule = forms.ModelChoiceField(queryset=Rule.objects.none(), required=False)
    days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_MUTE_DAYS,
        error_messages={
            "min_value": f"Mute for 1 to {MAX_MUTE_DAYS} days.",
            "max_value": f"Mute for 1 to {MAX_MUTE_DAYS} days.",
        },
    )
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, data, *, community: Community):
        super().__init__(data)
        self.fields["rule"].queryset = community.rules.all()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "mute" and cleaned.get("days") is None and not self.errors:
            self.add_error("days", f"Say for how many days (1 to {MAX_MUTE_DAYS}).")
        return cleaned

    def first_error(self) -> str:
        return next(iter(message for errors in self.errors.values() for message in errors))


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        help_text="The address they use on Peerhaven. They get an invitation to accept.",
    )


class MemberSearchForm(forms.Form):
    q = forms.CharField(label="Find a member by name or e-mail", required=False, max_length=200)
