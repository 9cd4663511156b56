"""Survey pages. Members answer the waves they were invited to (404 for anyone else, staff
included); program staff schedule waves, build instruments and see counts, never answers."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from peerhaven.lib.disclosure import SMALLEST_SHOWN
from peerhaven.lib.requests import posted
from peerhaven.outcomes import survey_actions as actions
from peerhaven.outcomes import surveys
from peerhaven.outcomes.survey_actions import SurveyError
from peerhaven.outcomes.survey_forms import (
    InstrumentForm,
    QuestionForm,
    StandardWavesForm,
    SurveyAnswerForm,
    WaveForm,
)
from peerhaven.programs.access import program_view, roles_at
from peerhaven.programs.models import MANAGING_ROLES, STAFF_ROLES

# Members


def survey_list(request):
    return render(
        request, "outcomes/surveys/list.html", {"surveys": surveys.member_surveys(request.user)}
    )


def survey_answer(request, wave_id):
    invitation = surveys.get_invitation_for_user(request.user, wave_id)
    wave = invitation.wave
    context = {"wave": wave, "program": wave.program, "state": surveys.wave_state(wave)}
    if invitation.completed:
        context["notice"] = actions.already_answered_message(wave, request.user)
    elif context["state"] != "open":
        context["notice"] = _not_open_notice(wave, context["state"])
    if "notice" in context:
        return render(request, "outcomes/surveys/answer.html", context)
    form = SurveyAnswerForm(posted(request), questions=wave.instrument.questions.all())
    if form.is_valid():
        try:
            actions.do_submit_response(wave, request.user, form.answers())
        except SurveyError as error:
            context["notice"] = str(error)
            return render(request, "outcomes/surveys/answer.html", context)
        messages.success(request, f"Thank you: your answers to {wave.program.name} are saved.")
        return redirect("outcomes:surveys")
    context["form"] = form
    context["minutes"] = surveys.minutes_to_answer(len(form.questions))
    return render(request, "outcomes/surveys/answer.html", context)


def _not_open_notice(wave, state: str) -> str:
    if state == "scheduled":
        return f"This survey is not open yet: it opens on {surveys.long_date(wave.opens_on)}."
    return f"This survey closed on {surveys.long_date(wave.closes_on)}. Thank you all the same."


# Staff: waves


def _can_manage(request, program) -> bool:
    return bool(roles_at(request.user, program) & set(MANAGING_ROLES))


@program_view(roles=STAFF_ROLES)
def waves(request, program):
    can_manage = _can_manage(request, program)
    context = {
        "program": program,
        "waves": surveys.program_waves(program),
        "can_manage": can_manage,
        "standard_form": StandardWavesForm(program=program) if can_manage else None,
        "standard_months": actions.standard_months(program),
    }
    return render(request, "outcomes/surveys/waves.html", context)


@require_POST
@program_view()
def waves_standard(request, program):
    form = StandardWavesForm(request.POST, program=program)
    if not form.is_valid():
        messages.error(request, "Choose an instrument and how many days each wave is open.")
        return redirect("outcomes:waves", program_id=program.pk)
    try:
        made, skipped = actions.do_schedule_standard_waves(
            program, acting_user=request.user, **form.cleaned_data
        )
    except SurveyError as error:
        messages.error(request, str(error))
        return redirect("outcomes:waves", program_id=program.pk)
    messages.success(request, _scheduled_message(made, skipped))
    return redirect("outcomes:waves", program_id=program.pk)


def _scheduled_message(made, skipped) -> str:
    text = f"Scheduled: {', '.join(w.label for w in made)}." if made else "No new waves."
    if skipped:
        text += f" Not scheduled (already there, or already over): {', '.join(skipped)}."
    return text


@program_view()
def wave_create(request, program):
    schedule = partial(actions.do_schedule_wave, program, acting_user=request.user)
    return _wave_form(request, program, None, schedule, "scheduled")


@program_view()
def wave_edit(request, program, wave_id):
    wave = get_object_or_404(program.survey_waves, pk=wave_id)
    if surveys.wave_has_opened(wave):
        messages.error(request, f"“{wave.label}” has opened, so it can no longer be changed.")
        return redirect("outcomes:waves", program_id=program.pk)
    update = partial(actions.do_update_wave, wave, acting_user=request.user)
    return _wave_form(request, program, wave, update, "saved")


def _wave_form(request, program, wave, save, done: str):
    """The wave form, for a new wave (``wave`` None) or an unopened one; ``save`` takes the
    form's fields, and its ``SurveyError`` is shown on the form."""
    form = WaveForm(posted(request), instance=wave, program=program)
    if form.is_valid():
        try:
            save(**form.cleaned_data)
        except SurveyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"“{form.cleaned_data['label']}” {done}.")
            return redirect("outcomes:waves", program_id=program.pk)
    return render(
        request, "outcomes/surveys/wave_form.html", {"program": program, "form": form, "wave": wave}
    )


@require_POST
@program_view()
def wave_delete(request, program, wave_id):
    wave = get_object_or_404(program.survey_waves, pk=wave_id)
    try:
        actions.do_delete_wave(wave, acting_user=request.user)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{wave.label}” deleted.")
    return redirect("outcomes:waves", program_id=program.pk)


@require_POST
@program_view()
def wave_remind(request, program, wave_id):
    wave = get_object_or_404(program.survey_waves, pk=wave_id)
    try:
        sent = actions.do_send_reminders_now(wave, acting_user=request.user)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _reminded_message(wave, sent))
    return redirect("outcomes:waves", program_id=program.pk)


def _reminded_message(wave, sent: int) -> str:
    if not sent:
        return (
            f"Nobody to remind for “{wave.label}”: everyone who has not answered heard "
            f"from it in the last {actions.MIN_DAYS_BETWEEN_CONTACTS} days."
        )
    # How many were reminded says how many have not answered: hidden below five.
    if sent < SMALLEST_SHOWN:
        return f"Reminders sent for “{wave.label}” (to fewer than 5 people)."
    return f"Reminders sent for “{wave.label}” to {sent} people."


# Staff: instruments


@program_view(roles=STAFF_ROLES)
def instruments(request, program):
    rows = list(
        surveys.instruments_for(program)
        .annotate(question_count=Count("questions"))
        .order_by("organization_id", "name")
    )
    context = {
        "program": program,
        "builtins": [i for i in rows if i.is_builtin],
        "own": [i for i in rows if not i.is_builtin],
        "can_manage": _can_manage(request, program),
    }
    return render(request, "outcomes/surveys/instruments.html", context)


@program_view()
def instrument_create(request, program):
    form = InstrumentForm(posted(request))
    if form.is_valid():
        instrument = actions.do_build_instrument(
            program, acting_user=request.user, **form.cleaned_data
        )
        messages.success(request, "Instrument created. Now add its questions.")
        return _back_to(instrument, program)
    return render(
        request,
        "outcomes/surveys/instrument_form.html",
        {"program": program, "form": form, "instrument": None},
    )


@program_view()
def instrument_edit(request, program, instrument_id):
    instrument = surveys.get_instrument_for_program(program, instrument_id)
    if instrument.is_builtin:
        messages.error(request, "Built-in instruments cannot be changed; make a copy instead.")
        return _back_to(instrument, program)
    form = InstrumentForm(posted(request), instance=instrument)
    if form.is_valid():
        actions.do_update_instrument(instrument, acting_user=request.user, **form.cleaned_data)
        messages.success(request, "Instrument saved.")
        return _back_to(instrument, program)
    return render(
        request,
        "outcomes/surveys/instrument_form.html",
        {"program": program, "form": form, "instrument": instrument},
    )


@program_view(roles=STAFF_ROLES)
def instrument(request, program, instrument_id):
    instrument = surveys.get_instrument_for_program(program, instrument_id)
    return _instrument_page(request, program, instrument, QuestionForm())


def _instrument_page(request, program, instrument, form):
    context = {
        "program": program,
        "instrument": instrument,
        "questions": list(instrument.questions.all()),
        "locked": surveys.instrument_is_locked(instrument),
        "can_manage": _can_manage(request, program),
        "form": form,
    }
    return render(request, "outcomes/surveys/instrument.html", context)


def _back_to(instrument, program):
    return redirect("outcomes:instrument", program_id=program.pk, instrument_id=instrument.pk)


@require_POST
@program_view()
def survey_question_add(request, program, instrument_id):
    instrument = surveys.get_instrument_for_program(program, instrument_id)
    form = QuestionForm(request.POST)
    try:
        if form.is_valid():
            actions.do_add_question(instrument, acting_user=request.user, **form.cleaned_data)
            messages.success(request, "Question added.")
            return _back_to(instrument, program)
        actions.refuse_if_locked(instrument)  # no point correcting a form that cannot be used
    except SurveyError as error:
        messages.error(request, str(error))
        return _back_to(instrument, program)
    return _instrument_page(request, program, instrument, form)


@require_POST
@program_view()
def survey_question_move(request, program, instrument_id, survey_question_id):
    instrument = surveys.get_instrument_for_program(program, instrument_id)
    question = get_object_or_404(instrument.questions, pk=survey_question_id)
    try:
        up = request.POST.get("direction") != "down"
        actions.do_move_question(question, up=up, acting_user=request.user)
    except SurveyError as error:
        messages.error(request, str(error))
    return _back_to(instrument, program)


@require_POST
@program_view()
def survey_question_delete(request, program, instrument_id, survey_question_id):
    instrument = surveys.get_instrument_for_program(program, instrument_id)
    question = get_object_or_404(instrument.questions, pk=survey_question_id)
    try:
        actions.do_remove_question(question, acting_user=request.user)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Question removed.")
    return _back_to(instrument, program)


@require_POST
@program_view()
def instrument_copy(request, program, instrument_id):
    instrument = surveys.get_instrument_for_program(program, instrument_id)
    copy = actions.do_copy_instrument(instrument, program, acting_user=request.user)
    messages.success(request, f"Copied as “{copy.name}”: you can change this copy.")
    return _back_to(copy, program)
