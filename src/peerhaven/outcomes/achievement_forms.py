from __future__ import annotations

from django import forms

from peerhaven.outcomes import importers
from peerhaven.outcomes.achievements import achievements_of, normalise_doi, normalise_pmid
from peerhaven.outcomes.models import Achievement


class AchievementForm(forms.ModelForm):
    class Meta:
        model = Achievement
        fields = [
            "kind",
            "title",
            "date",
            "date_precision",
            "venue",
            "details",
            "doi",
            "pmid",
            "sharing",
        ]
        labels = {"kind": "What kind", "date_precision": "Show the date as"}
        help_texts = {
            "date": "If you know only the year or month, pick any day in it and choose below "
            "how the date is shown.",
            "doi": "e.g. 10.1000/xyz123 or https://doi.org/10.1000/xyz123",
            "details": "Co-authors, role, amount: whatever helps you remember.",
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "details": forms.Textarea(attrs={"rows": 3}),
            "sharing": forms.RadioSelect,
        }

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["date_precision"].choices = [
            ("day", "The exact day"),
            ("month", "Month and year"),
            ("year", "The year only"),
        ]

    def clean_doi(self):
        value = self.cleaned_data["doi"].strip()
        doi = normalise_doi(value)
        if value and not doi:
            raise forms.ValidationError("This is not a DOI: a DOI starts with 10. and has a /.")
        if doi and self._others().filter(doi=doi).exists():
            raise forms.ValidationError("Your log already has an achievement with this DOI.")
        return doi

    def clean_pmid(self):
        value = self.cleaned_data["pmid"].strip()
        pmid = normalise_pmid(value)
        if value and not pmid:
            raise forms.ValidationError("A PMID is a number of up to 10 digits.")
        if pmid and self._others().filter(pmid=pmid).exists():
            raise forms.ValidationError("Your log already has an achievement with this PMID.")
        return pmid

    def _others(self):
        return achievements_of(self.owner).exclude(pk=self.instance.pk)


class SharingForm(forms.Form):
    """What programs may count, for every achievement in the log at once."""

    sharing = forms.ChoiceField(
        label="For all my achievements", choices=Achievement.Sharing.choices
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="File to import",
        required=False,  # said in clean_file, which also knows when the file was too large
        help_text=f"BibTeX, RIS, PubMed (MEDLINE) or ORCID JSON, up to "
        f"{importers.MAX_IMPORT_BYTES // (1024 * 1024)} MB.",
    )
    format = forms.ChoiceField(
        label="Format",
        choices=[("auto", "Detect it from the file"), *importers.FORMATS.items()],
        initial="auto",
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean_file(self):
        if self.too_large:
            raise forms.ValidationError(
                f"The file is larger than {importers.MAX_IMPORT_BYTES // (1024 * 1024)} MB, "
                "the limit for an import. A list of publications is far smaller: check that "
                "this is the right file, or export fewer years at a time."
            )
        if not self.cleaned_data.get("file"):
            raise forms.ValidationError("Choose a file to import.")
        return self.cleaned_data["file"]


class ImportConfirmForm(forms.Form):
    sharing = forms.ChoiceField(
        label="What your programs may count of these",
        choices=Achievement.Sharing.choices,
        initial=Achievement.Sharing.AGGREGATE,
        widget=forms.RadioSelect,
    )
