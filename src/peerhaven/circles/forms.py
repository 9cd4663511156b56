from __future__ import annotations

from django import forms

from peerhaven.accounts.forms import time_zone_choices
from peerhaven.circles import schedule
from peerhaven.circles.models import MAX_CIRCLE_SIZE, Ask, Attendance, Circle, Membership

CADENCE_PRESETS = [
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "Every other Thursday"),
    ("FREQ=WEEKLY;BYDAY=TH", "Every Thursday"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "Every other Tuesday"),
    ("FREQ=MONTHLY;BYDAY=1TH", "Monthly, on the first Thursday"),
    ("custom", "Another rhythm (iCalendar rule)"),
]


class CircleForm(forms.ModelForm):
    class Meta:
        model = Circle
        fields = ["name", "description", "size_cap", "admission_rule", "accepts_requests"]
        labels = {"size_cap": "Most members", "admission_rule": "New members once we meet"}
        help_texts = {
            "name": "e.g. “Thursday Lunch Circle” — members and staff see this name.",
            "size_cap": f"At most {MAX_CIRCLE_SIZE}: small enough for everyone to bring a problem.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_size_cap(self):
        size_cap = self.cleaned_data["size_cap"]
        if size_cap > MAX_CIRCLE_SIZE:
            raise forms.ValidationError(f"A circle has at most {MAX_CIRCLE_SIZE} members.")
        if size_cap < 2:
            raise forms.ValidationError("A circle needs room for at least two people.")
        return size_cap


class CircleSettingsForm(CircleForm):
    class Meta(CircleForm.Meta):
        fields = [*CircleForm.Meta.fields, "retention_days"]
        labels = {**CircleForm.Meta.labels, "retention_days": "Days to keep content after closing"}


class ScheduleForm(forms.Form):
    cadence_choice = forms.ChoiceField(label="How often", choices=CADENCE_PRESETS)
    custom_cadence = forms.CharField(
        label="Custom rule",
        required=False,
        help_text="An iCalendar RRULE, e.g. FREQ=WEEKLY;INTERVAL=3;BYDAY=MO.",
    )
    first_meeting_on = forms.DateField(
        label="First meeting on or after", widget=forms.DateInput(attrs={"type": "date"})
    )
    meeting_time = forms.TimeField(
        label="Start time", widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_zone = forms.ChoiceField(choices=time_zone_choices)
    duration_minutes = forms.IntegerField(label="Length (minutes)", min_value=15, max_value=240)
    location_kind = forms.ChoiceField(label="Where", choices=Circle.LocationKind.choices)
    location = forms.CharField(
        label="Place or video link",
        required=False,
        max_length=300,
        help_text="A room for in-person meetings, or your own video link. "
        "Leave empty for a Jitsi room.",
    )

    @classmethod
    def for_circle(cls, circle: Circle, data=None):
        preset_values = [value for value, _ in CADENCE_PRESETS]
        is_preset = circle.cadence in preset_values
        initial = {
            "cadence_choice": circle.cadence if is_preset else "custom",
            "custom_cadence": "" if is_preset else circle.cadence,
            "first_meeting_on": circle.first_meeting_on,
            "meeting_time": circle.meeting_time,
            "time_zone": circle.time_zone,
            "duration_minutes": circle.duration_minutes,
            "location_kind": circle.location_kind,
            "location": circle.location if circle.location_kind != "jitsi" else "",
        }
        return cls(data, initial=initial)

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("cadence_choice")
        rule = cleaned.get("custom_cadence", "") if choice == "custom" else choice
        if choice:
            try:
                cleaned["cadence"] = schedule.validate_cadence(rule)
            except schedule.CadenceError as error:
                field = "custom_cadence" if choice == "custom" else "cadence_choice"
                self.add_error(field, str(error))
        self._check_location(cleaned)
        return cleaned

    def _check_location(self, cleaned):
        kind, location = cleaned.get("location_kind"), cleaned.get("location", "")
        if kind == Circle.LocationKind.PLACE and not location:
            self.add_error("location", "Say where you meet.")
        if kind == Circle.LocationKind.VIDEO_LINK and not location.startswith("https://"):
            self.add_error("location", "Enter the video link, starting with https://.")

    def schedule_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "cadence": data["cadence"],
            "first_meeting_on": data["first_meeting_on"],
            "meeting_time": data["meeting_time"],
            "time_zone": data["time_zone"],
            "duration_minutes": data["duration_minutes"],
            "location_kind": data["location_kind"],
            "location": data["location"],
        }


class InviteForm(forms.Form):
    email = forms.EmailField(label="Their e-mail address")


class JoinRequestForm(forms.Form):
    note = forms.CharField(
        label="A note to the members",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: who you are and why this circle.",
    )


class CharterForm(forms.Form):
    rules = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), max_length=5000)


class AskForm(forms.ModelForm):
    title = forms.CharField(
        max_length=200, help_text="One line, e.g. “Should I take the division chief role?”"
    )
    context = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What the group needs to know. Only circle members can read it.",
    )

    class Meta:
        model = Ask
        fields = ["title", "context", "kind", "help_wanted"]
        labels = {"kind": "This is", "help_wanted": "What would help"}


class TextForm(forms.Form):
    """One piece of circle text: a note, an action item, a report back."""

    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message", max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )


class MoveMeetingForm(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))


class NotifyForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["notify"]
        labels = {"notify": "E-mail me about new messages"}


class AttendanceForm(forms.Form):
    def __init__(self, *args, memberships, recorded: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        for membership in memberships:
            self.fields[f"member_{membership.user_id}"] = forms.ChoiceField(
                label=membership.user.display_name,
                choices=Attendance.Status.choices,
                initial=recorded.get(membership.user_id, Attendance.Status.PRESENT),
                widget=forms.RadioSelect,
            )

    def statuses(self) -> dict[int, str]:
        return {
            int(name.removeprefix("member_")): value for name, value in self.cleaned_data.items()
        }
