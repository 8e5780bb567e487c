"""Writes of the Tim Penerapan SPM (``targets.models.ImplementationTeam``): its SK and its members.

Kept by the verifikator of the daerah (Bagian Pemerintahan, the team's secretariat) or an admin
(``spm.access`` rule ``team.manage``). The uploaded SK goes through the same content checks as evidence
(``spm.uploads.checked_upload``: magic bytes, PDF opened, images re-encoded, ``EVIDENCE_MAX_BYTES``) and is
stored through the configured storage (``field.save``), so the filesystem and an S3 bucket both work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from spm import access
from spm.models import Agency, Region, User
from spm.uploads import ALLOWED_TYPES, checked_upload
from spm.validation import field_errors
from targets.choices import TeamRole
from targets.models import ImplementationTeam, ImplementationTeamMember

# An SK is a signed decree: a PDF, or a scan as an image.
DECREE_TYPES = {ext: kind for ext, kind in ALLOWED_TYPES.items() if ext != ".xlsx"}
REFUSED = gettext_noop("Tim Penerapan SPM hanya dapat diubah verifikator daerah ini.")


@dataclass(frozen=True)
class MemberInput:
    """One member as typed: name, jabatan, kedudukan and (optionally) the OPD."""

    name: str
    position: str
    role: str
    agency_id: int | None = None


@transaction.atomic
def team_save(
    *,
    user: User,
    region: Region,
    decree_number: str,
    decree_date: dt.date | None,
    decree_upload: UploadedFile | None = None,
) -> ImplementationTeam:
    """Record the SK of the daerah's Tim Penerapan SPM (number, date and, when given, the signed file)."""
    access.require(user, "team.manage", region, _(REFUSED))
    team = ImplementationTeam.objects.select_for_update().filter(region=region).first()
    errors: dict[str, list[str]] = {}
    number = (decree_number or "").strip()
    if not number:
        errors["decree_number"] = [_("Nomor SK wajib diisi.")]
    if decree_date is None:
        errors["decree_date"] = [_("Tanggal SK wajib diisi.")]
    elif decree_date > timezone.localdate():
        errors["decree_date"] = [_("Tanggal SK tidak boleh melewati hari ini.")]
    if team is None and decree_upload is None:
        errors["decree_file"] = [_("Unggah berkas SK yang sudah ditandatangani (PDF atau hasil pindai PNG/JPG).")]
    errors.update(field_errors(ImplementationTeam, {"decree_number": number}))
    if errors:
        raise ValidationError(errors)
    checked = None
    if decree_upload is not None:
        try:
            checked = checked_upload(decree_upload, allowed=DECREE_TYPES)
        except ValidationError as exc:
            raise ValidationError({"decree_file": exc.message_dict.get("file", exc.messages)}) from None
    team = team or ImplementationTeam(region=region)
    team.decree_number = number
    team.decree_date = decree_date
    team.updated_by = user
    if checked is not None:
        name, content_type, content = checked
        old = team.decree_file.name if team.decree_file else ""
        storage = team.decree_file.storage
        team.decree_name = name[:255]
        team.decree_content_type = content_type
        team.decree_file.save(get_valid_filename(name), content, save=False)
        if old:
            transaction.on_commit(lambda: storage.delete(old))
    team.save()
    return team


def _member_errors(data: MemberInput, region: Region) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("Nama anggota wajib diisi.")]
    if not data.position.strip():
        errors["position"] = [_("Jabatan anggota wajib diisi.")]
    if data.role not in TeamRole.values:
        errors["role"] = [_("Kedudukan dalam tim: pilih salah satu dari daftar.")]
    if data.agency_id is not None and not Agency.objects.filter(pk=data.agency_id, region=region).exists():
        errors["agency"] = [_("OPD tidak ditemukan di daerah ini.")]
    errors.update(
        field_errors(ImplementationTeamMember, {"name": data.name.strip(), "position": data.position.strip()})
    )
    return errors


@transaction.atomic
def team_member_add(*, user: User, team: ImplementationTeam, data: MemberInput) -> ImplementationTeamMember:
    """Add a member; a team has one ketua."""
    access.require(user, "team.manage", team, _(REFUSED))
    team = ImplementationTeam.objects.select_for_update().get(pk=team.pk)
    errors = _member_errors(data, team.region)
    if not errors and data.role == TeamRole.CHAIR and team.members.filter(role=TeamRole.CHAIR).exists():
        errors["role"] = [_("Tim sudah memiliki ketua; hapus ketua yang lama lebih dahulu.")]
    if errors:
        raise ValidationError(errors)
    last = team.members.order_by("-order").values_list("order", flat=True).first() or 0
    try:
        with transaction.atomic():
            member = ImplementationTeamMember.objects.create(
                team=team,
                name=data.name.strip(),
                position=data.position.strip(),
                role=data.role,
                agency_id=data.agency_id,
                order=last + 1,
            )
    except IntegrityError:  # a ketua added at the same moment by someone else
        raise ValidationError({"role": [_("Tim sudah memiliki ketua; hapus ketua yang lama lebih dahulu.")]}) from None
    ImplementationTeam.objects.filter(pk=team.pk).update(updated_by=user, updated_at=timezone.now())
    return member


@transaction.atomic
def team_member_remove(*, user: User, member: ImplementationTeamMember) -> None:
    access.require(user, "team.manage", member, _(REFUSED))
    team_id = member.team_id
    member.delete()
    ImplementationTeam.objects.filter(pk=team_id).update(updated_by=user, updated_at=timezone.now())
