from __future__ import annotations

from django import forms
from django.db.models import Q

from peerhaven.communities.models import (
    MAX_POST_LENGTH,
    MAX_TITLE_LENGTH,
    Community,
    Member,
    Post,
    Rule,
    SubGroup,
    SubGroupMember,
)

DEFAULT_RULES = """\
Be kind and assume good intent — We are colleagues supporting each other.
Protect patients — Nothing that could identify a patient: names, birth dates, record numbers.
No political posts — Keep discussion on medicine, careers and each other.
What is shared here stays here — Ask the author before taking a post outside."""

RULE_SEPARATOR = " — "


def parse_rules(text: str) -> list[tuple[str, str]]:
    """Rules written one per line, "Title — details" (the details are optional)."""
    rules = []
    for line in text.splitlines():
        title, _, details = line.strip().partition(RULE_SEPARATOR)
        if title.strip():
            rules.append((title.strip()[:160], details.strip()))
    return rules


def rules_as_text(community: Community) -> str:
    return "\n".join(
        RULE_SEPARATOR.join(filter(None, [rule.title, rule.details]))
        for rule in community.rules.all()
    )


def offer_own_groups(field: forms.ModelChoiceField, member: Member, asked_group: str) -> None:
    """A sub-group choice that accepts any group the member sees (a private group's id typed
    into a URL is refused) but lists only their own groups and the one asked for (as from a
    group's "New post here"): a community can have hundreds, and a list of hundreds is both
    unusable on a phone and most of the page's rendering time."""
    visible = SubGroup.objects.visible_to(member)
    field.queryset = visible
    mine = SubGroupMember.objects.filter(user_id=member.user_id).values("subgroup")
    asked = int(asked_group) if asked_group.isdigit() else None
    offered = visible.filter(Q(pk__in=mine) | Q(pk=asked)).values_list("pk", "name")
    field.widget.choices = [("", field.empty_label), *offered]


class CommunityForm(forms.ModelForm):
    rules_text = forms.CharField(
        label="Rules",
        widget=forms.Textarea(attrs={"rows": 6}),
        initial=DEFAULT_RULES,
        error_messages={"required": "Write at least one rule."},
        help_text="One rule per line, “Title — details”. Members agree to them before posting.",
    )
    questions_text = forms.CharField(
        label="Membership questions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line. People asking to join answer them; moderators read the answers.",
    )

    class Meta:
        model = Community
        fields = ["name", "description", "visibility", "join_policy", "allow_anonymous"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_rules_text(self):
        rules = parse_rules(self.cleaned_data["rules_text"])
        if not rules:
            raise forms.ValidationError("Write at least one rule.")
        return rules

    def clean_questions_text(self):
        lines = self.cleaned_data["questions_text"].splitlines()
        return [line.strip()[:300] for line in lines if line.strip()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("join_policy") == Community.JoinPolicy.REQUEST and not cleaned.get(
            "questions_text"
        ):
            self.add_error(
                "questions_text", "A community that takes requests needs at least one question."
            )
        return cleaned


class JoinRequestForm(forms.Form):
    """One answer field per membership question."""

    def __init__(self, data, *, questions):
        super().__init__(data)
        for question in questions:
            self.fields[f"answer_{question.pk}"] = forms.CharField(
                label=question.text, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
            )

    def answers(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.fields]


class SubGroupForm(forms.ModelForm):
    class Meta:
        model = SubGroup
        fields = ["name", "kind", "description", "private"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ReplyForm(forms.Form):
    """A reply: its text, and whether it is anonymous; it takes its thread's kind and group."""

    body = forms.CharField(
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_POST_LENGTH,
        help_text="Markdown works: **bold**, *italic*, lists, [links](https://…).",
    )
    anonymous = forms.BooleanField(
        required=False,
        label="Post anonymously",
        help_text="Other members will not see your name. The moderators can, and each time "
        "they look it is logged.",
    )
    confirm_no_patient = forms.BooleanField(
        required=False, label="I have checked: no patient can be identified from this post"
    )

    def __init__(self, data=None, *, member: Member, **kwargs):
        super().__init__(data, **kwargs)
        if not member.community.allow_anonymous:
            del self.fields["anonymous"]


class PostForm(ReplyForm):
    """A new thread: a reply's fields plus its kind, group and title."""

    kind = forms.ChoiceField(choices=Post.Kind.choices, initial=Post.Kind.DISCUSSION)
    subgroup = forms.ModelChoiceField(
        queryset=SubGroup.objects.none(),
        required=False,
        label="Group",
        empty_label="The whole community",
    )
    title = forms.CharField(max_length=MAX_TITLE_LENGTH)
    field_order = ["kind", "subgroup", "title", "body"]

    def __init__(self, data=None, *, member: Member, asked_group: str = "", **kwargs):
        super().__init__(data, member=member, **kwargs)
        self.fields["body"].label = "Post"
        self.fields["body"].widget.attrs["rows"] = 8
        offer_own_groups(self.fields["subgroup"], member, asked_group)


class EditForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE_LENGTH)
    body = forms.CharField(
        label="Post", widget=forms.Textarea(attrs={"rows": 8}), max_length=MAX_POST_LENGTH
    )

    def __init__(self, data=None, *, post: Post, **kwargs):
        super().__init__(data, initial={"title": post.title, "body": post.body}, **kwargs)
        if not post.is_thread:
            del self.fields["title"]


class ReportForm(forms.Form):
    rule = forms.ModelChoiceField(
        queryset=Rule.objects.none(),
        label="Which rule does it break?",
        empty_label="Choose a rule",
        error_messages={"required": "Choose the rule this post breaks."},
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Anything the moderators should know (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data=None, *, community: Community, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["rule"].queryset = community.rules.all()


class DigestForm(forms.Form):
    digest = forms.ChoiceField(choices=Member.Digest.choices, label="E-mail digest")
