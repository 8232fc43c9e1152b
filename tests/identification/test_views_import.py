"""The upload page: multipart, a size limit with a clear error, a dry run, and the batch result page."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from liaison.core.models import AuditEvent, Role
from liaison.identification.models import Arrival, ImportBatch
from tests.factories import member
from tests.identification.conftest import csv_bytes, three_arrivals, when

URL = "/arrivals/import"


def upload(data: bytes, name: str = "custody.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_upload_imports_and_shows_the_batch(practitioner_client, site_a):
    page = practitioner_client.get(URL)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    response = practitioner_client.post(
        URL, {"site": site_a.pk, "file": upload(three_arrivals())}, follow=True
    )
    html = response.content.decode()
    batch = ImportBatch.objects.get()
    assert response.redirect_chain[-1][0] == f"/arrivals/imports/{batch.pk}/"
    assert "List imported: 3 new arrivals added to the review list.</p>" in html
    assert "nhsuk-notification-banner--success" in html
    again = practitioner_client.post(URL, {"site": site_a.pk, "file": upload(three_arrivals())}, follow=True)
    assert "List imported: 0 new arrivals added to the review list, 3 rows already on it left out." in (
        again.content.decode()
    )
    assert "custody.csv" in html
    assert Arrival.objects.count() == 3


def test_upload_result_lists_bad_rows_by_line_and_column(practitioner_client, site_a):
    data = csv_bytes(f"{when(1)},KF-1,Good,Row,,,", f"{when(2)},KF-2,Bad,Birth,31/02/1990,,")
    html = practitioner_client.post(
        URL, {"site": site_a.pk, "file": upload(data)}, follow=True
    ).content.decode()
    assert "1 not loaded" in html
    # Not a plain "Success": a row was left out.
    assert "nhsuk-notification-banner--success" not in html and "Important" in html
    assert "1 new arrival added to the review list. 1 row has a problem and was not loaded" in html
    assert '<td class="nhsuk-table__cell">3</td>' in html
    assert "Date of birth <span class=\"liaison-secondary\">('date_of_birth')</span>" in html
    assert "Enter a real date of birth" in html
    assert "31/02/1990" not in html


def test_dry_run_page_writes_nothing(practitioner_client, site_a):
    response = practitioner_client.post(
        URL, {"site": site_a.pk, "file": upload(three_arrivals()), "dry_run": "on"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "List checked: nothing saved" in html and "Would be added" in html
    assert not Arrival.objects.exists() and not ImportBatch.objects.exists()


def test_oversized_upload_is_refused_with_a_clear_error(practitioner_client, site_a, settings):
    settings.ARRIVALS_IMPORT_MAX_BYTES = 200
    response = practitioner_client.post(URL, {"site": site_a.pk, "file": upload(three_arrivals() * 3)})
    html = response.content.decode()
    assert response.status_code == 413
    assert "There is a problem" in html and "The file must be smaller than 200 bytes" in html
    assert not Arrival.objects.exists()


def test_a_huge_request_is_refused_before_it_is_read(practitioner_client, site_a, settings):
    settings.ARRIVALS_IMPORT_MAX_BYTES = 1024
    big = three_arrivals() + b"x" * (80 * 1024)
    response = practitioner_client.post(URL, {"site": site_a.pk, "file": upload(big)})
    assert response.status_code == 413
    assert "The file must be smaller than 1 KB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_missing_file_and_unreadable_file_errors_name_the_field(practitioner_client, site_a):
    html = practitioner_client.post(URL, {"site": site_a.pk}).content.decode()
    assert '<a href="#id_file">Select a CSV file to import</a>' in html
    html = practitioner_client.post(URL, {"site": site_a.pk, "file": upload(b"name\nA\n")}).content.decode()
    assert "The file has no arrival time column" in html
    assert f'<option value="{site_a.pk}" selected>' in html  # the site chosen is kept
    assert not ImportBatch.objects.exists()


def test_another_teams_site_is_not_a_choice(practitioner_client, site_b):
    html = practitioner_client.post(
        URL, {"site": site_b.pk, "file": upload(three_arrivals())}
    ).content.decode()
    assert "Select one of your team&#x27;s sites" in html
    assert not Arrival.objects.exists()


def test_upload_keeps_csrf_protection(practitioner, site_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(practitioner)
    response = client.post(URL, {"site": site_a.pk, "file": upload(three_arrivals())})
    assert response.status_code == 403
    assert not Arrival.objects.exists()


def test_support_worker_may_look_but_not_import(team_a, client, site_a):
    client.force_login(member(team_a, Role.SUPPORT_WORKER))
    assert client.get(URL).status_code == 403
    assert client.get("/arrivals/review").status_code == 200


def test_commissioner_and_partner_get_no_access(commissioner_client, team_a, client, site_a):
    for c in (commissioner_client, client):
        if c is client:
            c.force_login(member(team_a, Role.PARTNER))
        for url in (URL, "/arrivals/review"):
            response = c.get(url)
            assert response.status_code == 403
            assert "You cannot see people's records" in response.content.decode()
        assert c.post(URL, {"site": site_a.pk, "file": upload(three_arrivals())}).status_code == 403
    assert not Arrival.objects.exists()
    assert not AuditEvent.objects.filter(action="arrival.list").exists()
