"""Survey forms: the answer form built from an instrument's questions, and the forms staff
use to build instruments and schedule waves.

Every answer is checked on the server against its question (``surveys.answer_error``):
a forged 7 on a 1–5 scale, a number out of range, an option not offered or an overlong
text comes back as a message beside the question, with the member's other answers kept."""

from __future__ import annotations

from django import forms

from peerhaven.outcomes import surveys
from peerhaven.outcomes.instruments import DEFAULT_INSTRUMENT_KEY
from peerhaven.outcomes.models import Instrument, Question, Wave
from peerhaven.outcomes.survey_actions import DAYS_OPEN

REQUIRED = "Please answer this question."


def _likert_field(question: Question) -> forms.Field:
    labels = {1: question.low_label, 5: question.high_label}
    choices = [(n, f"{n} — {labels[n]}" if labels.get(n) else str(n)) for n in range(1, 6)]
    return forms.TypedChoiceField(
        choices=choices,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a number from 1 to 5."},
    )


def _single_field(question: Question) -> forms.Field:
    return forms.ChoiceField(
        choices=[(option, option) for option in question.choice_list],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the options offered."},
    )


def _multiple_field(question: Question) -> forms.Field:
    return forms.MultipleChoiceField(
        choices=[(option, option) for option in question.choice_list],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose only from the options offered."},
    )


def _number_field(question: Question) -> forms.Field:
    # Limits are checked in ``clean`` with the plain-language messages of answer_error;
    # on the input they only bring up the right keyboard and the browser's own hints.
    attrs = {"step": "any", "inputmode": "decimal"}
    for attr, limit in (("min", question.min_value), ("max", question.max_value)):
        if limit is not None:
            attrs[attr] = surveys.format_number(limit)
    return forms.FloatField(
        widget=forms.NumberInput(attrs=attrs),
        error_messages={"invalid": "Enter a number."},
        help_text=_range_text(question.min_value, question.max_value),
    )


def _range_text(low: float | None, high: float | None) -> str:
    low_text, high_text = (None if v is None else surveys.format_number(v) for v in (low, high))
    if low_text and high_text:
        return f"A number from {low_text} to {high_text}."
    if low_text:
        return f"A number of at least {low_text}."
    return f"A number up to {high_text}." if high_text else ""


def _text_field(question: Question) -> forms.Field:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": surveys.MAX_TEXT_LENGTH}),
        help_text=f"Up to {surveys.MAX_TEXT_LENGTH:,} characters.",
    )


FIELD_FOR_KIND = {
    Question.Kind.LIKERT: _likert_field,
    Question.Kind.SINGLE: _single_field,
    Question.Kind.MULTIPLE: _multiple_field,
    Question.Kind.NUMBER: _number_field,
    Question.Kind.TEXT: _text_field,
}


class SurveyAnswerForm(forms.Form):
    def __init__(self, data=None, *, questions):
        super().__init__(data)
        self.questions = list(questions)
        for question in self.questions:
            field = FIELD_FOR_KIND[question.kind](question)
            field.label = question.prompt
            field.required = question.required
            field.error_messages["required"] = REQUIRED
            self.fields[self.field_name(question)] = field

    @staticmethod
    def field_name(question: Question) -> str:
        return f"q_{question.key}"

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            name = self.field_name(question)
            if name in self.errors:
                continue
            cleaned[name] = _stored_value(question, cleaned.get(name))
            error = surveys.answer_error(question, cleaned[name])
            if error:
                self.add_error(name, error)
        return cleaned

    @property
    def has_text(self) -> bool:
        return any(q.kind == Question.Kind.TEXT for q in self.questions)

    def rows(self):
        """(question, bound field) in order, for the template's fieldsets."""
        return [(question, self[self.field_name(question)]) for question in self.questions]

    def answers(self) -> dict[Question, object]:
        return {q: self.cleaned_data.get(self.field_name(q)) for q in self.questions}


def _stored_value(question: Question, value):
    """What Answer.value keeps: a whole number stays whole (3, not 3.0)."""
    if question.kind == Question.Kind.NUMBER and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Staff: instruments


class InstrumentForm(forms.ModelForm):
    class Meta:
        model = Instrument
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"description": "What it measures and how long it takes, for staff."}


CHOICE_KINDS = (Question.Kind.SINGLE, Question.Kind.MULTIPLE)


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "kind",
            "prompt",
            "choices",
            "low_label",
            "high_label",
            "min_value",
            "max_value",
            "required",
        ]
        labels = {
            "kind": "Kind of answer",
            "prompt": "Question",
            "choices": "Options",
            "low_label": "Label for 1",
            "high_label": "Label for 5",
            "min_value": "Smallest number allowed",
            "max_value": "Largest number allowed",
            "required": "An answer is required",
        }
        help_texts = {
            "choices": "For one or several choices: one option per line.",
            "low_label": "For a scale, e.g. “Strongly disagree”.",
            "high_label": "For a scale, e.g. “Strongly agree”.",
            "min_value": "For a number (optional).",
            "max_value": "For a number (optional).",
        }
        widgets = {"choices": forms.Textarea(attrs={"rows": 4})}

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        options = [line.strip() for line in cleaned.get("choices", "").splitlines()]
        options = [option for option in options if option]
        if kind in CHOICE_KINDS:
            if len(options) < 2:
                self.add_error("choices", "Give at least two options, one per line.")
            elif len(set(options)) != len(options):
                self.add_error("choices", "Each option must be different.")
            cleaned["choices"] = "\n".join(options)
        else:
            cleaned["choices"] = ""
        low, high = cleaned.get("min_value"), cleaned.get("max_value")
        if kind == Question.Kind.NUMBER and None not in (low, high) and low > high:
            self.add_error("max_value", "The largest number must not be below the smallest.")
        return _drop_unused(cleaned, kind)


def _drop_unused(cleaned: dict, kind) -> dict:
    """Labels belong to scales and limits to numbers: values typed for another kind are
    dropped rather than stored where nothing reads them."""
    if kind != Question.Kind.LIKERT:
        cleaned["low_label"] = cleaned["high_label"] = ""
    if kind != Question.Kind.NUMBER:
        cleaned["min_value"] = cleaned["max_value"] = None
    return cleaned


# Staff: waves


class InstrumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} (built-in)" if obj.is_builtin else obj.name


class WaveForm(forms.ModelForm):
    instrument = InstrumentChoiceField(queryset=Instrument.objects.none(), empty_label=None)

    class Meta:
        model = Wave
        fields = ["instrument", "label", "months_after_start", "opens_on", "closes_on"]
        labels = {"months_after_start": "Months after the program starts"}
        help_texts = {
            "label": "What members and the report call it, e.g. “6 months”.",
            "months_after_start": "0 for the baseline. The report pairs waves by this.",
            "closes_on": "Members can answer until the end of this day.",
        }
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = surveys.instruments_for(program)

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", "A wave must close on or after the day it opens.")
        instrument = cleaned.get("instrument")
        if instrument is not None:
            for problem in surveys.instrument_problems(instrument):
                self.add_error("instrument", problem)
        return cleaned


class StandardWavesForm(forms.Form):
    instrument = InstrumentChoiceField(queryset=Instrument.objects.none(), empty_label=None)
    days_open = forms.IntegerField(
        label="Days each wave stays open", min_value=1, max_value=120, initial=DAYS_OPEN
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        field.queryset = surveys.instruments_for(program)
        default = field.queryset.filter(key=DEFAULT_INSTRUMENT_KEY)
        field.initial = default.values_list("pk", flat=True).first()
