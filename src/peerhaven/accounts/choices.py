"""The controlled vocabularies of an academic-medicine profile."""

from __future__ import annotations

from django.db import models


class CareerStage(models.TextChoices):
    MEDICAL_STUDENT = "medical_student", "Medical student"
    RESIDENT = "resident", "Resident"
    FELLOW = "fellow", "Fellow"
    POSTDOC = "postdoc", "Postdoctoral researcher"
    INSTRUCTOR = "instructor", "Instructor"
    ASSISTANT_PROFESSOR = "assistant_professor", "Assistant professor"
    ASSOCIATE_PROFESSOR = "associate_professor", "Associate professor"
    PROFESSOR = "professor", "Professor"
    STAFF_OTHER = "staff_other", "Staff / other"


class Track(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    CLINICIAN_EDUCATOR = "clinician_educator", "Clinician-educator"
    PHYSICIAN_SCIENTIST = "physician_scientist", "Physician-scientist / investigator"
    EDUCATOR = "educator", "Educator"
    OTHER = "other", "Other"


class Specialty(models.TextChoices):
    ANESTHESIOLOGY = "anesthesiology", "Anesthesiology"
    CARDIOLOGY = "cardiology", "Cardiology"
    DERMATOLOGY = "dermatology", "Dermatology"
    EMERGENCY_MEDICINE = "emergency_medicine", "Emergency medicine"
    ENDOCRINOLOGY = "endocrinology", "Endocrinology"
    FAMILY_MEDICINE = "family_medicine", "Family medicine"
    GASTROENTEROLOGY = "gastroenterology", "Gastroenterology"
    GERIATRICS = "geriatrics", "Geriatrics"
    HEMATOLOGY_ONCOLOGY = "hematology_oncology", "Hematology / oncology"
    HOSPITAL_MEDICINE = "hospital_medicine", "Hospital medicine"
    INFECTIOUS_DISEASE = "infectious_disease", "Infectious disease"
    INTERNAL_MEDICINE = "internal_medicine", "Internal medicine"
    NEPHROLOGY = "nephrology", "Nephrology"
    NEUROLOGY = "neurology", "Neurology"
    OBSTETRICS_GYNECOLOGY = "obstetrics_gynecology", "Obstetrics and gynecology"
    OPHTHALMOLOGY = "ophthalmology", "Ophthalmology"
    ORTHOPAEDICS = "orthopaedics", "Orthopaedic surgery"
    OTOLARYNGOLOGY = "otolaryngology", "Otolaryngology"
    PATHOLOGY = "pathology", "Pathology"
    PEDIATRICS = "pediatrics", "Pediatrics"
    PHYSICAL_MEDICINE = "physical_medicine", "Physical medicine and rehabilitation"
    PSYCHIATRY = "psychiatry", "Psychiatry"
    PUBLIC_HEALTH = "public_health", "Public health / preventive medicine"
    PULMONARY_CRITICAL_CARE = "pulmonary_critical_care", "Pulmonary and critical care"
    RADIATION_ONCOLOGY = "radiation_oncology", "Radiation oncology"
    RADIOLOGY = "radiology", "Radiology"
    RHEUMATOLOGY = "rheumatology", "Rheumatology"
    SURGERY = "surgery", "General surgery"
    UROLOGY = "urology", "Urology"
    BASIC_SCIENCE = "basic_science", "Basic science"
    OTHER = "other", "Other"


class MeetingPreference(models.TextChoices):
    EITHER = "either", "In person or virtual"
    IN_PERSON = "in_person", "In person"
    VIRTUAL = "virtual", "Virtual"
