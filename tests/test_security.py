"""What a new user and an attacker found (issue 20), one regression test a
finding, on the serving side: links, isolation, e-mail, API errors, secret
key, deploy checks, admin lockout, offline docs, layout and small defects.
The import side (LaTeX, links and addresses as stored) is in
ingest/test_untrusted_import.py and ingest/test_latex.py; every route under malformed
parameters in test_fuzz.py; the browser's view in tests/e2e."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from bzpeer.catalog.models import Author, AuthorshipMention, Work, WorkVersion
from bzpeer.catalog.untrusted import http_url, without_emails
from bzpeer.ingest.pipeline import run_import

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


# -- 1. links from records -------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        " JavaScript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "java\tscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        'https://ok.example/"onmouseover="alert(1)',
    ],
)
def test_only_http_links_are_rendered_from_a_version(client, url):
    version = WorkVersion.objects.exclude(url="").select_related("source_record").first()
    WorkVersion.objects.filter(pk=version.pk).update(url=url)
    page = client.get(f"/works/{version.work_id}").content.decode()
    assert http_url(url) == ""
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert all(h.startswith(("/", "https://", "http://")) for h in hrefs), hrefs
    assert (
        "alert(" not in page.replace("&#x27;", "'") or "href" not in page.split("alert(")[0][-60:]
    )
    # the record is still named, just not as a link
    assert re.sub(r"<[^>]+>", "", page).count(version.source_record.external_id[:30]) >= 1


def test_a_good_link_stays_a_link(client):
    version = WorkVersion.objects.exclude(url="").first()
    WorkVersion.objects.filter(pk=version.pk).update(url="https://example.org/paper?id=1&v=2")
    page = client.get(f"/works/{version.work_id}").content.decode()
    assert 'href="https://example.org/paper?id=1&amp;v=2"' in page


def test_every_response_carries_a_strict_content_security_policy(client):
    for path in ["/", "/researchers/tianlong-chen", "/api/v1/works", "/accounts/login/"]:
        policy = client.get(path)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "http" not in policy  # no other host


def test_pages_carry_no_inline_script_or_style(client):
    work = Work.objects.first()
    for path in [
        "/",
        "/?q=chen",
        "/researchers/tianlong-chen",
        f"/works/{work.pk}",
        "/accounts/login/",
        "/accounts/signup/",
        "/api/v1/docs",
    ]:
        page = client.get(path).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", page):
            # a script from this site, or a data block that runs nothing (JSON, JSON-LD)
            data = 'type="application/json"' in tag or 'type="application/ld+json"' in tag
            assert "src=" in tag or data, (path, tag)
        assert "<style" not in page and " style=" not in page, path
        assert not re.search(r"\son[a-z]+=", page), path


# -- 2. API errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/works?page=9223372036854775807",
        "/api/v1/authors?page=9223372036854775807",
        f"/api/v1/works?cursor={_cursor({'o': 1e300})}",
        f"/api/v1/works?cursor={_cursor({'o': 10**30})}",
        f"/api/v1/authors?cursor={_cursor({'o': -3})}",
        "/api/v1/works/W99999999999999999999999999",
        "/api/v1/authors/A99999999999999999999999999",
        "/api/v1/works/W²",
        "/api/v1/nothing-here",
        "/api/v1/works?per_page=1e3",
    ],
)
def test_api_errors_are_json_4xx(client, url):
    response = client.get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code)
    body = response.json()
    assert body["error"] and body["message"]


def test_api_method_not_allowed_is_json(client):
    response = client.post("/api/v1/works")
    assert response.status_code == 405
    assert response.json()["error"] == "Method Not Allowed"


def test_empty_cursor_and_page_zero_are_the_first_page(client):
    first = client.get("/api/v1/works?per_page=5").json()
    for url in ["/api/v1/works?page=0&cursor=&per_page=5", "/api/v1/works?page=0&per_page=5"]:
        response = client.get(url)
        assert response.status_code == 200, response.content
        assert [w["id"] for w in response.json()["results"]] == [w["id"] for w in first["results"]]


def test_a_nul_byte_is_refused_not_a_server_error(client):
    for url in [
        "/api/v1/works?search=a%00b",
        "/api/v1/authors/a%00b",
        "/?q=%00",
        "/researchers/tianlong-chen?type=%00",
    ]:
        assert client.get(url).status_code == 400, url


# -- 3. e-mail addresses from records ---------------------------------------------


def test_no_email_address_from_a_record_is_shown_or_served(client):
    author = (
        Author.objects.filter(merged_into=None, affiliations=None).exclude(mentions=None).first()
    )
    raw = "School of Life Sciences, NM-AIST, Arusha, Tanzania. fnelson@nm-aist.ac.tz"
    AuthorshipMention.objects.filter(author=author).update(raw_affiliation=raw)
    page = client.get(f"/researchers/{author.slug}").content.decode()
    served = client.get(f"/api/v1/authors/A{author.pk}").content.decode()
    for text in (page, served):
        assert "fnelson" not in text and "@nm-aist" not in text
        assert "Arusha, Tanzania" in text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (
            "Dept. of Physics, Arusha, Tanzania. fnelson@nm-aist.ac.tz",
            "Dept. of Physics, Arusha, Tanzania",
        ),
        ("Univ. X (e-mail: a.b@c.edu)", "Univ. X"),
        ("MIT, Cambridge, MA, USA; Email: x@mit.edu; y@mit.edu.", "MIT, Cambridge, MA, USA"),
        ("john [at] uni [dot] edu, Uni Y", "Uni Y"),
        ("Dept. of Math., Univ. of Tokyo (Japan)", "Dept. of Math., Univ. of Tokyo (Japan)"),
    ],
)
def test_without_emails(raw, shown):
    assert without_emails(raw) == shown


def test_abstract_addresses_are_not_shown(client):
    work = Work.objects.exclude(abstract="").first()
    Work.objects.filter(pk=work.pk).update(abstract=work.abstract + " Contact: someone@example.org")
    page = client.get(f"/works/{work.pk}").content.decode()
    assert "someone@example.org" not in page


# -- 5. text that breaks the page ---------------------------------------------------


def test_names_and_titles_are_isolated_and_long_ones_shortened(client):
    author = Author.objects.get(slug="tianlong-chen")
    work = next(
        w
        for w in Work.objects.filter(mentions__author=author).order_by("-year", "-id")[:20]
        if w.mentions.exclude(author=author).exists()
    )
    AuthorshipMention.objects.filter(work=work).exclude(author=author).update(
        raw_name="\u202eevil name"
    )
    Author.objects.filter(
        pk__in=AuthorshipMention.objects.filter(work=work).exclude(author=author).values("author")
    ).update(display_name="\u202eevil name")
    long_title = "Sparse " * 10_000
    Work.objects.filter(pk=work.pk).update(title=long_title)
    profile = client.get("/researchers/tianlong-chen").content.decode()
    assert "<bdi>\u202eevil name</bdi>" in profile
    assert long_title.strip() not in profile  # shortened in the list
    page = client.get(f"/works/{work.pk}").content.decode()
    assert "Show all 70,000 characters" in page and long_title.strip() in page  # reachable
    assert Work.objects.get(pk=work.pk).title == long_title  # kept whole


def test_a_five_thousand_character_name_is_kept_whole_and_shown_short(client, write):
    name = "Zyxlong " + "Ab" * 2496
    line = {
        "id": "https://openalex.org/W99660001",
        "title": "A record with a very long author name",
        "publication_year": 2024,
        "authorships": [{"author": {"display_name": name}, "raw_author_name": name}],
    }
    run_import("openalex", [write("long.jsonl", json.dumps(line) + "\n")], {}, show_progress=False)
    author = Author.objects.get(mentions__work__title="A record with a very long author name")
    assert author.display_name == name and len(name) == 5000  # whole in the database
    page = client.get(f"/researchers/{author.slug}").content.decode()
    assert "Show all 5,000 characters" in page
    assert page.count(name) == 1  # once, behind the disclosure; shortened everywhere else


# -- 6. every login form is rate limited ---------------------------------------------


def test_admin_login_is_locked_after_repeated_wrong_passwords(client, make_user):
    make_user(
        "boss", "boss@example.org", password="right horse 42", is_staff=True, is_superuser=True
    )
    assert client.get("/admin/login/?next=/admin/").status_code == 302  # to the site's form
    for _ in range(30):
        client.post("/accounts/login/", {"login": "boss@example.org", "password": "wrong"})
    client.post("/accounts/login/", {"login": "boss@example.org", "password": "right horse 42"})
    assert client.get("/admin/").status_code == 302  # still signed out
    # Django's own admin form is not served: it has no lockout
    response = client.post(
        "/admin/login/", {"username": "boss", "password": "right horse 42", "next": "/admin/"}
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/admin/").status_code == 302


# -- 7. secret key and deploy checks --------------------------------------------------


def _django(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BZPEER_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env={**clean, "DJANGO_SETTINGS_MODULE": "bzpeer.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_a_secret_the_site_refuses_to_start(tmp_path):
    result = _django(["check"], {"BZPEER_HOME": str(tmp_path)})
    assert result.returncode != 0
    assert "BZPEER_SECRET_KEY" in result.stderr and "bzpeer init" in result.stderr
    debug = _django(["check"], {"BZPEER_HOME": str(tmp_path), "BZPEER_DEBUG": "true"})
    assert debug.returncode == 0, debug.stderr


def test_bzpeer_init_writes_a_private_random_secret(tmp_path):
    bzpeer = Path(sys.executable).with_name("bzpeer")
    env = {**os.environ, "BZPEER_HOME": str(tmp_path)}
    env.pop("BZPEER_SECRET_KEY", None)
    subprocess.run([str(bzpeer), "init"], env=env, check=True, timeout=60)
    secret = tmp_path / "var" / "secret_key"
    first = secret.read_text()
    assert len(first.strip()) >= 50 and (secret.stat().st_mode & 0o077) == 0
    subprocess.run([str(bzpeer), "init"], env=env, check=True, timeout=60)
    assert secret.read_text() == first  # kept, never rotated behind your back
    assert _django(["check"], {"BZPEER_HOME": str(tmp_path)}).returncode == 0


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = _django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "BZPEER_HOME": str(tmp_path),
            "BZPEER_SECRET_KEY": "k" + base64.b64encode(os.urandom(48)).decode(),
            "BZPEER_TLS": "true",
            "BZPEER_ALLOWED_HOSTS": "bzpeer.example.org",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- 8. nothing from another host ----------------------------------------------------


def test_api_docs_load_only_from_this_site(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") for s in sources), sources
    bundle = re.search(r'src="([^"]*swagger-ui-bundle[^"]*)"', page).group(1)
    assert client.get(bundle).status_code == 200


# -- 10. small defects -------------------------------------------------------------------


def test_profile_page_zero_is_the_first_page(client):
    first = client.get("/researchers/tianlong-chen").content.decode()
    zero = client.get("/researchers/tianlong-chen?page=0").content.decode()
    assert re.search(r"page 1 of \d+", zero)
    assert re.findall(r'href="/works/(\d+)"', zero) == re.findall(r'href="/works/(\d+)"', first)


def test_page_titles_name_the_page_once(client):
    titles = {
        path: re.search(r"<title>(.*?)</title>", client.get(path).content.decode(), re.S).group(1)
        for path in ["/", "/?q=chen", "/researchers/tianlong-chen", "/accounts/login/"]
    }
    assert all(t.count("BZPEER") == 1 for t in titles.values()), titles
    assert titles["/researchers/tianlong-chen"] == "Tianlong Chen · BZPEER"
    assert titles["/?q=chen"].startswith("Results for")


def test_bzpeer_from_another_folder_uses_the_project_data_and_says_what_to_run(tmp_path):
    bzpeer = Path(sys.executable).with_name("bzpeer")
    env = {k: v for k, v in os.environ.items() if k not in {"BZPEER_HOME", "DATABASE_URL"}}
    env["BZPEER_SECRET_KEY"] = "x" * 60
    env["BZPEER_HOME"] = str(tmp_path / "home")  # an empty home: no database yet
    result = subprocess.run(
        [str(bzpeer), "runs"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "bzpeer migrate" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "var").exists()  # nothing created where the command ran
    del env["BZPEER_HOME"]  # no home set: the installation's own folder, not the cwd
    subprocess.run(
        [str(bzpeer), "runs"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert not (tmp_path / "var").exists()


# -- 11. accounts are part of the site ------------------------------------------------------


def test_account_pages_use_the_site_layout_and_show_who_is_signed_in(client):
    for path in ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        page = client.get(path).content.decode()
        assert 'class="brand"' in page and "site.css" in page, path
    home = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in home and 'href="/accounts/signup/"' in home
    user = get_user_model().objects.create_user("ada", "ada@example.org", "a long pass 42")
    client.force_login(user)
    home = client.get("/").content.decode()
    assert "Signed in as" in home and "ada@example.org" in home and "Sign out" in home


def test_confirming_an_email_signs_you_in(client, mailoutbox):
    client.post(
        "/accounts/signup/",
        {
            "email": "grace@example.org",
            "password1": "a long pass 42",
            "password2": "a long pass 42",
        },
    )
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    page = client.get(path)
    assert page.status_code == 200
    response = client.post(path)
    assert response.status_code == 302 and "/accounts/login/" not in response["Location"]
    assert "Signed in as" in client.get("/").content.decode()
    assert mail.outbox is mailoutbox
