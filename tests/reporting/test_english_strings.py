"""English for the strings Python builds (issue 12): service messages, notifications and their e-mails,
xlsx headings and the Petunjuk sheet follow the language the user picked, also outside a request
(``User.language``, kept by the language switch); Bahasa Indonesia stays the default."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from reporting.models import Notification
from reporting.services import report_submit
from tests.reporting.conftest import fill_completely
from tests.reporting.recipients_support import YEAR, people, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


def pick_english(client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def test_the_language_switch_keeps_the_choice_on_the_user(client_for, operator_a):
    client = client_for(operator_a)
    pick_english(client)
    operator_a.refresh_from_db()
    assert operator_a.language == "en"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    operator_a.refresh_from_db()
    assert operator_a.language == "en"  # an unknown code changes nothing


def test_an_english_user_gets_the_validation_message_in_english(client_for, operator_a, report):
    client = client_for(operator_a)
    pick_english(client)
    body = client.post(
        reverse("reporting:report-submit", args=[report.pk]),
        {"version": report.version, "must_serve": "1000", "served": "10"},
    ).content.decode()
    assert "Section C. Budget is incomplete: Budget allocated, Budget realised." in body
    assert "belum lengkap" not in body
    with translation.override("id"), pytest.raises(ValidationError) as exc:
        report_submit(report=report, user=operator_a, expected_version=report.version + 1)
    assert "belum lengkap" in " ".join(exc.value.message_dict["__all__"])


def test_notification_and_e_mail_follow_each_recipients_language(
    operator_a, reviewer, report, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    reviewer.email, reviewer.language = "verifikator@example.test", "en"
    reviewer.save()
    report = fill_completely(report, operator_a, scalars={"served": 900})
    with translation.override("id"), django_capture_on_commit_callbacks(execute=True):  # the operator's language
        report_submit(report=report, user=operator_a, expected_version=report.version)
    note = Notification.objects.get(user=reviewer)
    assert note.message == f"{report.agency} submitted the report {report.service.name} TW II 2026."
    [email] = [m for m in mail.outbox if m.to == ["verifikator@example.test"]]
    assert email.subject == "[e-SPM] Report submitted"
    assert email.body.startswith(note.message)


def test_an_indonesian_user_keeps_indonesian_notifications(operator_a, reviewer, report):
    report = fill_completely(report, operator_a, scalars={"served": 900})
    with translation.override("en"):
        report_submit(report=report, user=operator_a, expected_version=report.version)
    assert "mengajukan laporan" in Notification.objects.get(user=reviewer).message


def test_an_english_user_downloads_the_matrix_with_english_headings(client_for, reviewer, report):
    client = client_for(reviewer)
    pick_english(client)
    response = client.get(reverse("reporting:matrix-export"))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["Region code", "Region", "Period"]
    assert book.sheetnames == ["Matrix", "Summary"]
    assert sheet.cell(row=2, column=3).value.startswith("TW ")  # one period format in both languages


def test_an_english_user_downloads_an_english_petunjuk_sheet(client_for, operator_a, service_a):
    client = client_for(operator_a)
    pick_english(client)
    response = client.get(reverse("reporting:recipients-template", kwargs={"code": service_a.code}))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Data Penerima"  # the data sheet is what the import reads: unchanged
    guide = "\n".join(str(c.value) for row in book["Petunjuk"].iter_rows() for c in row if c.value)
    assert "How to fill in the basic-service recipient data" in guide and "Duplicate NIK" in guide
    assert "Petunjuk pengisian" not in guide


def test_a_reminder_from_celery_beat_is_in_each_operators_language(
    daerah, operator_a, operator_b, mailoutbox, django_capture_on_commit_callbacks
):
    import datetime as dt

    from reporting.services import period_get_or_create, reminders_send

    period_get_or_create(region=daerah, year=2026, quarter=2)  # due on 20 July 2026
    operator_a.email, operator_a.language = "dinkes@example.go.id", "en"
    operator_a.save()
    with translation.override("id"), django_capture_on_commit_callbacks(execute=True):  # no request, no user
        assert reminders_send(on=dt.date(2026, 7, 13)) == 2
    english = Notification.objects.get(user=operator_a).message
    assert english.startswith("The TW II 2026 report is due in 7 days (20-07-2026). Not yet submitted:")
    assert [m.subject for m in mailoutbox] == ["[e-SPM] Due date reminder"]
    assert "tinggal 7 hari" in Notification.objects.get(user=operator_b).message  # operator_b kept Indonesian


def test_an_english_operator_is_told_in_english_that_the_recipient_list_was_received(client_for, operator_a, service_a):
    client = client_for(operator_a)
    pick_english(client)
    data = {"service": service_a.pk, "year": YEAR, "mode": "tambah", "file": upload(xlsx_bytes(people(2)))}
    body = client.post(reverse("reporting:recipients-import"), data, follow=True).content.decode()
    assert "File received." in body
    assert "Berkas diterima" not in body


def test_an_english_leader_is_refused_the_recipient_import_in_english(client_for, leader):
    client = client_for(leader)
    pick_english(client)
    response = client.get(reverse("reporting:recipients-import"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Only the operators of the responsible OPD and admins can import." in body
    assert "Hanya operator OPD pengampu" not in body
