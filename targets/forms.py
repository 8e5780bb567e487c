"""Forms of the targets app: they reject malformed input; the services decide the domain rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting import anchors
from spm.models import Agency, BasicService
from spm.validation import max_length, max_value
from targets.choices import TeamRole
from targets.models import (
    ImplementationTeam,
    ImplementationTeamMember,
    ReportEdition,
    TargetQuality,
    TargetRevision,
)
from targets.services import TargetInput


class TargetForm(forms.Form):
    """Sasaran and one mutu target per component of the service."""

    must_serve = forms.IntegerField(
        label=_("Jumlah yang harus dilayani (sasaran)"),
        min_value=0,
        max_value=max_value(TargetRevision, "must_serve"),
        required=False,
        error_messages={"min_value": _("Jumlah yang harus dilayani tidak boleh negatif.")},
    )
    note = forms.CharField(
        label=_("Keterangan / dasar penetapan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, service: BasicService, revision: TargetRevision | None = None, **kwargs):
        self.service = service
        components = list(service.quality_components.all())
        initial = kwargs.pop("initial", {}) or {}
        if revision is not None:
            initial.setdefault("must_serve", revision.must_serve)
            initial.setdefault("note", revision.note)
            for q in revision.quality.all():
                initial.setdefault(f"quality_{q.component.code}", q.required)
        super().__init__(*args, initial=initial, **kwargs)
        for c in components:
            self.fields[f"quality_{c.code}"] = forms.IntegerField(
                label=_("Target mutu: %(name)s") % {"name": c.name},
                min_value=0,
                max_value=max_value(TargetQuality, "required"),
                required=False,
                error_messages={"min_value": _("%(name)s: target mutu tidak boleh negatif.") % {"name": c.name}},
            )
        self.components = components

    def to_input(self) -> TargetInput:
        data = self.cleaned_data
        return TargetInput(
            must_serve=data.get("must_serve"),
            quality={c.code: data.get(f"quality_{c.code}") for c in self.components},
            note=data.get("note") or "",
        )

    def apply_errors(self, errors: dict) -> None:
        """Show a service's ValidationError next to its field."""
        for key, messages in errors.items():
            name = anchors.to_column(key, "quality_") if key != "__all__" else None
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Komentar"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Berkas xlsx target"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Berkas target harus berformat xlsx."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Berkas target melebihi 5 MB."))
        return upload


class EditionForm(forms.Form):
    """The narrative parts of a Laporan Penerapan SPM edition (format of the Permendagri 100/2018 lampiran),
    the signer and, for the annual edition, its due date and the date it was sent."""

    foreword = forms.CharField(label=_("Kata pengantar"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    background = forms.CharField(
        label=_("Latar belakang (BAB I.A)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    legal_basis = forms.CharField(
        label=_("Dasar hukum (BAB I.B), satu peraturan per baris"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    general_policy = forms.CharField(
        label=_("Kebijakan umum dalam RPJMD (BAB I.C)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    policy_direction = forms.CharField(
        label=_("Arah kebijakan dalam KUA (BAB I.D)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    conclusion = forms.CharField(label=_("Penutup (BAB IV)"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    signer_name = forms.CharField(
        label=_("Nama penandatangan"), required=False, max_length=max_length(ReportEdition, "signer_name")
    )
    due_date = forms.DateField(
        label=_("Batas waktu penyampaian"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_on = forms.DateField(
        label=_("Tanggal disampaikan kepada Menteri melalui Gubernur"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, head_title: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if head_title:
            self.fields["signer_name"].label = _("Nama %(title)s (penandatangan)") % {"title": head_title}
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def to_input(self):
        from targets.services import EditionInput

        return EditionInput(
            **{
                name: self.cleaned_data[name] or (None if "date" in name or name.endswith("_on") else "")
                for name in self.fields
            }
        )


class TeamForm(forms.Form):
    """The SK of the Tim Penerapan SPM: number, date and the signed file (checked by the service)."""

    decree_number = forms.CharField(
        label=_("Nomor SK"), max_length=max_length(ImplementationTeam, "decree_number"), required=False
    )
    decree_date = forms.DateField(
        label=_("Tanggal SK"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Tanggal SK: tulis tanggal yang valid.")},
    )
    decree_file = forms.FileField(label=_("Berkas SK (PDF/PNG/JPG)"), required=False)


class MemberForm(forms.Form):
    """One member of the Tim Penerapan SPM (the OPD is one of the daerah's)."""

    name = forms.CharField(label=_("Nama"), max_length=max_length(ImplementationTeamMember, "name"))
    position = forms.CharField(label=_("Jabatan"), max_length=max_length(ImplementationTeamMember, "position"))
    role = forms.ChoiceField(label=_("Kedudukan dalam tim"), choices=TeamRole.choices)
    agency = forms.ModelChoiceField(label=_("OPD"), queryset=Agency.objects.none(), required=False)

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(region=region).order_by("name")

    def to_input(self):
        from targets.services import MemberInput

        agency = self.cleaned_data.get("agency")
        return MemberInput(
            name=self.cleaned_data["name"],
            position=self.cleaned_data["position"],
            role=self.cleaned_data["role"],
            agency_id=agency.pk if agency else None,
        )
