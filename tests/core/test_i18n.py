"""Samen speaks Dutch, French and English: browser language first, then the switcher, then
each person's saved preference; and no string is left untranslated."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.urls import reverse

from samen.core.roles import Role

SAMEN = Path(__file__).resolve().parents[2] / "samen"
CATALOGUES = sorted(SAMEN.glob("*/locale/*/LC_MESSAGES/django.po"))


@pytest.mark.django_db
@pytest.mark.parametrize("accept,lang,title", [
    ("nl-BE,nl;q=0.9", "nl", "Inloggen bij Samen"),
    ("fr-BE,fr;q=0.9", "fr", "Se connecter à Samen"),
    ("en-GB,en;q=0.9", "en", "Log in to Samen"),
])
def test_anonymous_visitor_gets_the_log_in_page_in_the_browser_language(client, accept, lang,
                                                                       title):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept, follow=True)
    page = response.content.decode()
    assert response.request["PATH_INFO"] == reverse("core:login")
    assert f'<html lang="{lang}">' in page
    assert title in page


@pytest.mark.django_db
def test_the_switcher_sets_the_language_and_the_persons_preference(client_for):
    client = client_for(Role.TEAM)
    response = client.post(reverse("core:set_language"),
                           {"language": "fr", "next": reverse("core:team_home")})
    assert response.status_code == 302 and response["Location"] == reverse("core:team_home")
    client.person.refresh_from_db()
    assert client.person.language == "fr"
    page = client.get(reverse("core:team_home"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<html lang="fr">' in page


@pytest.mark.django_db
def test_the_switcher_does_not_redirect_elsewhere(client):
    response = client.post(reverse("core:set_language"),
                           {"language": "nl", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_a_saved_preference_beats_the_browser(person_factory, client):
    person = person_factory(Role.MANAGER, language="nl")
    client.force_login(person)
    page = client.get(reverse("core:manager_home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="nl">' in page
    assert "Wie spreekt namens de organisatie" in page


def test_there_are_catalogues_for_dutch_and_french():
    langs = {p.parents[1].name for p in CATALOGUES}
    assert {"nl", "fr"} <= langs
    assert any(p.parts[-5] == "core" for p in CATALOGUES)


@pytest.mark.parametrize("po_path", CATALOGUES, ids=[str(p.relative_to(SAMEN)) for p in CATALOGUES])
def test_catalogue_is_complete_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    missing = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not missing, f"untranslated in {po_path}: {missing[:10]}"
    assert not fuzzy, f"fuzzy in {po_path}: {fuzzy[:10]}"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run scripts/i18n.py compile"
    mo = polib.mofile(str(mo_path))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                for e in mo}
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled, f"{entry.msgid!r} is not compiled in {mo_path}"


@pytest.mark.gettext
def test_every_template_string_is_in_the_catalogues():
    """Strings in code and templates that are missing from the .po files (the catalogues
    were not regenerated) would show in English to Dutch and French readers."""
    import shutil
    import subprocess
    import sys

    if not shutil.which("xgettext"):
        pytest.skip("GNU gettext (xgettext) is not installed")
    result = subprocess.run([sys.executable, str(SAMEN.parent / "scripts" / "i18n.py"),
                             "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
