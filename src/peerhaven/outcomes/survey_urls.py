"""Survey routes: members' surveys under ``surveys/``, staff pages under a program."""

from __future__ import annotations

from django.urls import path

from peerhaven.outcomes import survey_views as views

PROGRAM = "programs/<int:program_id>"
WAVE = f"{PROGRAM}/surveys/<int:wave_id>"
INSTRUMENT = f"{PROGRAM}/instruments/<int:instrument_id>"
QUESTION = f"{INSTRUMENT}/questions/<int:survey_question_id>"

urlpatterns = [
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/<int:wave_id>/", views.survey_answer, name="survey_answer"),
    path(f"{PROGRAM}/surveys/", views.waves, name="waves"),
    path(f"{PROGRAM}/surveys/standard/", views.waves_standard, name="waves_standard"),
    path(f"{PROGRAM}/surveys/new/", views.wave_create, name="wave_create"),
    path(f"{WAVE}/edit/", views.wave_edit, name="wave_edit"),
    path(f"{WAVE}/delete/", views.wave_delete, name="wave_delete"),
    path(f"{WAVE}/remind/", views.wave_remind, name="wave_remind"),
    path(f"{PROGRAM}/instruments/", views.instruments, name="instruments"),
    path(f"{PROGRAM}/instruments/new/", views.instrument_create, name="instrument_create"),
    path(f"{INSTRUMENT}/", views.instrument, name="instrument"),
    path(f"{INSTRUMENT}/edit/", views.instrument_edit, name="instrument_edit"),
    path(f"{INSTRUMENT}/copy/", views.instrument_copy, name="instrument_copy"),
    path(f"{INSTRUMENT}/questions/", views.survey_question_add, name="survey_question_add"),
    path(f"{QUESTION}/move/", views.survey_question_move, name="survey_question_move"),
    path(f"{QUESTION}/delete/", views.survey_question_delete, name="survey_question_delete"),
]
