from __future__ import annotations

from django import forms

from peerhaven.accounts.forms import time_zone_choices
from peerhaven.accounts.models import Profile, User
from peerhaven.circles import schedule
from peerhaven.circles.forms import CADENCE_PRESETS
from peerhaven.orgs.models import Organization, StaffRole
from peerhaven.programs import policies
from peerhaven.programs.models import Enrollment, IntakeQuestion, Program


class ProgramForm(forms.ModelForm):
    # Declared fields take no initial value from the model, and a new program has no
    # instance to read one from: without these, the time zone would be the list's first
    # entry (Africa/Abidjan) and circles would meet at noon there.
    cadence = forms.ChoiceField(
        label="Circles meet",
        choices=[c for c in CADENCE_PRESETS if c[0] != "custom"],
        initial=Program._meta.get_field("cadence").default,
    )
    time_zone = forms.ChoiceField(
        label="Meeting time zone",
        choices=time_zone_choices,
        initial=Program._meta.get_field("time_zone").default,
    )

    class Meta:
        model = Program
        fields = [
            "organization",
            "kind",
            "name",
            "description",
            "starts_on",
            "ends_on",
            "format",
            "min_group_size",
            "max_group_size",
            "modality",
            "cadence",
            "meeting_time",
            "time_zone",
            "charter",
            "facilitators",
            "applications_open",
        ]
        labels = {
            "min_group_size": "Smallest group",
            "max_group_size": "Largest group",
            "charter": "Default charter for the program's circles",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "charter": forms.Textarea(attrs={"rows": 8}),
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "meeting_time": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(pk__in=organizations)
        self.fields["organization"].empty_label = None
        facilitators = self.fields["facilitators"]
        facilitators.queryset = User.objects.filter(
            staff_roles__organization__in=organizations,
            staff_roles__role=StaffRole.Role.FACILITATOR,
        ).distinct()
        facilitators.widget = forms.CheckboxSelectMultiple(choices=facilitators.choices)
        facilitators.help_text = (
            "Each circle gets one, who convenes it and takes one of its seats. People with "
            "the facilitator role at your organization are listed."
        )

    def clean_cadence(self):
        try:
            return schedule.validate_cadence(self.cleaned_data["cadence"])
        except schedule.CadenceError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_group_size"), cleaned.get("max_group_size")
        if low and high and low > high:
            self.add_error(
                "min_group_size", "The smallest group cannot be larger than the largest."
            )
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The program cannot end before it starts.")
        return cleaned


GOALS = [("diverse", "Mix people"), ("similar", "Group alike people")]


class PolicyForm(forms.Form):
    """The coordinator's matching policy: start from a preset, adjust weights and rules."""

    preset = forms.ChoiceField(
        label="Start from",
        choices=[(key, value["label"]) for key, value in policies.PRESETS.items()],
    )
    shared_slot = forms.BooleanField(
        label="Every group shares a weekly meeting slot", required=False
    )
    supervisors_apart = forms.BooleanField(
        label="Keep supervisors and their direct reports apart", required=False
    )
    no_lone_urm = forms.BooleanField(
        label="Nobody the only member of an under-represented group in their group "
        "(only members who allowed matching to use it)",
        required=False,
    )
    window_years = forms.IntegerField(
        label="Pairs: at most this many years apart in rank",
        required=False,
        min_value=0,
        max_value=40,
        help_text="Leave empty when the program forms no pairs.",
    )

    def __init__(self, *args, settings: dict, **kwargs):
        super().__init__(*args, **kwargs)
        weights = {c["column"]: c for c in settings.get("criteria", [])}
        for column, label in policies.CRITERIA_COLUMNS.items():
            current = weights.get(column, {"goal": "diverse", "weight": 0})
            self.fields[f"{column}_goal"] = forms.ChoiceField(
                label=f"{label}", choices=GOALS, initial=current["goal"]
            )
            self.fields[f"{column}_weight"] = forms.FloatField(
                label=f"{label} weight",
                min_value=0,
                max_value=10,
                initial=current["weight"],
            )
        rules = settings.get("rules", {})
        self.initial.setdefault("preset", settings.get("preset", policies.DEFAULT_PRESET))
        for name in ("shared_slot", "supervisors_apart", "no_lone_urm"):
            self.initial.setdefault(name, rules.get(name, False))
        self.initial.setdefault("window_years", settings.get("pairs", {}).get("window_years"))

    def criterion_rows(self):
        for column in policies.CRITERIA_COLUMNS:
            yield self[f"{column}_goal"], self[f"{column}_weight"]

    def settings(self) -> dict:
        data = self.cleaned_data
        return {
            "preset": data["preset"],
            "criteria": [
                {"column": c, "goal": data[f"{c}_goal"], "weight": data[f"{c}_weight"]}
                for c in policies.CRITERIA_COLUMNS
            ],
            "rules": {n: data[n] for n in ("shared_slot", "supervisors_apart", "no_lone_urm")},
            "pairs": {"window_years": data["window_years"]},
        }


class IntakeQuestionForm(forms.ModelForm):
    class Meta:
        model = IntakeQuestion
        fields = ["prompt", "kind", "choices", "required"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        options = [line for line in cleaned.get("choices", "").splitlines() if line.strip()]
        if cleaned.get("kind") == IntakeQuestion.Kind.CHOICE and len(options) < 2:
            self.add_error("choices", "Give at least two options, one per line.")
        return cleaned


class RosterUploadForm(forms.Form):
    roster = forms.FileField(
        label="Roster file (CSV or Excel .xlsx)",
        help_text="Columns: name, email, and optionally rank, department, institution, "
        "specialty, time_zone, rank_since_year.",
    )


class EnrollmentStateForm(forms.Form):
    state = forms.ChoiceField(choices=Enrollment.State.choices)
    reason = forms.CharField(max_length=300, required=False)


class IntakeForm(forms.ModelForm):
    """What matching needs from each member, plus the program's own questions."""

    time_zone = forms.ChoiceField(choices=time_zone_choices)
    keep_apart_from = forms.CharField(
        label="Please don't group me with",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Names or e-mail addresses, one per line. Only the matching uses this; "
        "nobody else sees it.",
    )

    class Meta:
        model = Profile
        fields = [
            "career_stage",
            "rank_since_year",
            "department",
            "specialty",
            "institution",
            "region",
            "time_zone",
            "meeting_preference",
        ]

    def __init__(self, *args, questions, enrollment, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.fields["career_stage"].required = True
        self.fields["department"].required = True
        self.initial["keep_apart_from"] = enrollment.keep_apart_from
        for question in self.questions:
            self.fields[f"question_{question.pk}"] = _question_field(question)
            self.initial[f"question_{question.pk}"] = enrollment.answers.get(str(question.pk))

    def answers(self) -> dict[str, object]:
        return {str(q.pk): self.cleaned_data[f"question_{q.pk}"] for q in self.questions}

    def question_fields(self):
        return [self[f"question_{q.pk}"] for q in self.questions]


def _question_field(question: IntakeQuestion) -> forms.Field:
    common = {"label": question.prompt, "required": question.required}
    if question.kind == IntakeQuestion.Kind.CHOICE:
        options = [(o, o) for o in question.choice_list]
        return forms.ChoiceField(choices=[("", "—"), *options], **common)
    if question.kind == IntakeQuestion.Kind.SCALE:
        scale = [(str(n), str(n)) for n in range(1, 6)]
        return forms.TypedChoiceField(choices=scale, coerce=int, widget=forms.RadioSelect, **common)
    return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), **common)
