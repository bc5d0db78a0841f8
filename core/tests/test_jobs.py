"""User jobs: start, progress, done/failed, the pages that show them, and who may see them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.jobs import JobError, attach_file, job_done, job_progress, job_task, start_job
from core.models import JobProgress
from core.testing import make_user

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
Status = JobProgress.Status
calls: list = []


@job_task
def count_to(job, n: int, *, label: str = "") -> dict:
    calls.append(job.pk)
    for i in range(1, n + 1):
        job_progress(job.pk, done=i, total=n, message=f"{label} {i}")
    return {"summary": f"counted to {n}", "url": "/jobs/"}


@job_task
def export_text(job) -> dict:
    attach_file(job.pk, "名单.csv", "名称\n明远机械\n")
    return {"summary": "exported"}


@job_task
def refuse(job) -> dict:
    raise ValidationError("The filter is invalid.")


@job_task
def explode(job) -> dict:
    raise KeyError("internal detail")


@job_task
def stop_with_message(job) -> dict:
    raise JobError("Nothing to export.")


def plain_function(job_id):
    return None


@pytest.fixture(autouse=True)
def immediate(settings):
    settings.TASKS = IMMEDIATE
    calls.clear()


def test_job_runs_after_commit_and_records_result(django_capture_on_commit_callbacks):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(user=user, name="Count", task=count_to, args=[3], kwargs={"label": "step"})
        assert calls == []
    job.refresh_from_db()
    assert calls == [job.pk]
    assert job.user == user
    assert job.status == Status.DONE
    assert (job.done, job.total, job.message) == (3, 3, "step 3")
    assert job.result == {"summary": "counted to 3", "url": "/jobs/"}
    assert job.task_id and job.started_at and job.finished_at
    assert job.percent == 100


def test_finished_job_is_not_run_twice(django_capture_on_commit_callbacks):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(user=user, name="Count", task=count_to, args=[2])
    count_to.enqueue(job.pk, 2)  # a duplicate delivery of the same job
    assert calls == [job.pk]
    job.refresh_from_db()
    assert job.status == Status.DONE


def test_progress_is_not_written_to_finished_jobs():
    job = JobProgress.objects.create(user=make_user(), name="x")
    job_progress(job.pk, done=5, total=10)
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == (Status.RUNNING, 5, 10, 50)
    job_done(job.pk, {"summary": "ok"})
    job_progress(job.pk, done=6, total=10)
    job.refresh_from_db()
    assert (job.status, job.done) == (Status.DONE, 5)


@pytest.mark.parametrize(("task", "message"), [
    (refuse, "The filter is invalid."),
    (stop_with_message, "Nothing to export."),
    (explode, "The job stopped because of an unexpected error (KeyError)."),
])
def test_failing_task_marks_job_failed(django_capture_on_commit_callbacks, task, message):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(user=make_user(), name="Fail", task=task)
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.message == message
    assert "internal detail" not in job.message
    assert job.finished_at is not None


def test_job_that_cannot_be_queued_fails_visibly(django_capture_on_commit_callbacks, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(type(count_to.get_backend()), "enqueue", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(user=make_user(), name="Count", task=count_to, args=[1])
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "could not be queued" in job.message


def test_start_job_needs_a_job_task():
    from django_tasks import task

    with pytest.raises(TypeError):
        start_job(user=make_user(), name="x", task=task()(plain_function))
    assert not JobProgress.objects.exists()


def test_result_url_only_links_inside_the_site():
    job = JobProgress(result={"url": "https://evil.example/"})
    assert job.result_url == ""
    job.result = {"url": "//evil.example/x"}
    assert job.result_url == ""
    job.result = {"url": "javascript:alert(1)"}
    assert job.result_url == ""
    job.result = {"url": "/customers/"}
    assert job.result_url == "/customers/"


# ---- pages ------------------------------------------------------------------------------------

def test_job_pages_show_progress_and_poll_while_running(client):
    user = make_user()
    job = JobProgress.objects.create(user=user, name="导出客户", status=Status.RUNNING, done=40, total=100)
    client.force_login(user)

    page = client.get(reverse("core:job_detail", args=[job.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "导出客户" in body and 'style="width: 40%"' in body
    assert 'hx-trigger="every 1s"' in body

    fragment = client.get(reverse("core:job_detail", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div class="card" id="job-progress"')
    assert "<html" not in fragment and "40 / 100" in fragment

    job_done(job.pk, {"summary": "共导出 100 条", "url": "/customers/", "label": "查看客户"})
    fragment = client.get(reverse("core:job_detail", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "every 1s" not in fragment  # polling stops once the job is done
    assert "共导出 100 条" in fragment and 'href="/customers/"' in fragment and "查看客户" in fragment

    listing = client.get(reverse("core:job_list")).content.decode()
    assert "导出客户" in listing and job.get_absolute_url() in listing


def test_failed_job_page_shows_the_error(client):
    user = make_user()
    job = JobProgress.objects.create(user=user, name="导入", status=Status.FAILED, message="第 3 行：手机号无效")
    client.force_login(user)
    body = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "第 3 行：手机号无效" in body and "alert-danger" in body and "every 1s" not in body


def test_download_of_the_job_file(client, django_capture_on_commit_callbacks):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(user=user, name="Export", task=export_text)
    job.refresh_from_db()
    assert job.status == Status.DONE and job.file.name.endswith("名单.csv")
    client.force_login(user)
    assert reverse("core:job_download", args=[job.pk]) in client.get(job.get_absolute_url()).content.decode()
    response = client.get(reverse("core:job_download", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == "名称\n明远机械\n"
    assert "attachment" in response["Content-Disposition"]


def test_someone_elses_job_is_not_found(client, django_capture_on_commit_callbacks):
    owner, other = make_user(), make_user()
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(user=owner, name="Export of owner", task=export_text)
    client.force_login(other)
    for name in ("core:job_detail", "core:job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
        assert client.get(reverse(name, args=[job.pk]), headers={"HX-Request": "true"}).status_code == 404
    assert "Export of owner" not in client.get(reverse("core:job_list")).content.decode()
    job.refresh_from_db()
    assert job.status == Status.DONE and job.file


def test_job_pages_need_login(client):
    job = JobProgress.objects.create(user=make_user(), name="x")
    for url in (reverse("core:job_list"), reverse("core:job_detail", args=[job.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("org:login") in response["Location"]


def test_download_of_unfinished_job_is_not_found(client):
    user = make_user()
    job = JobProgress.objects.create(user=user, name="x", status=Status.RUNNING)
    client.force_login(user)
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404
