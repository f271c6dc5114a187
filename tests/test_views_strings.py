"""Every text on the dashboard and in the HTML report comes from the rulebook, in bokmål
and English; a missing translation fails."""
from __future__ import annotations

import re
import shutil

import pytest

import sivreg
from sivreg.catalogue import load_rulebook
from sivreg.render.html import esc
from sivreg.errors import RulebookError

from conftest import ROOT

SOURCES = [*(ROOT / "sivreg" / "views").glob("*.py"), *(ROOT / "sivreg" / "render").glob("*.py"),
           *(ROOT / "sivreg" / "render" / "templates").glob("*.j2")]
KEY = re.compile(r"""["']((?:ui|report|label|answer|status|notice|topic|doc)\.[a-z_.]+[a-z_])["']""")
FILES = {"report.css"}  # file names that look like keys


def used_keys() -> set[str]:
    keys = set()
    for path in SOURCES:
        keys |= set(KEY.findall(path.read_text(encoding="utf-8")))
    return keys - FILES


def test_every_text_used_by_the_views_exists_in_both_languages():
    book = sivreg.rulebook()
    keys = used_keys()
    assert len(keys) > 30
    for key in sorted(keys):
        assert key in book.messages, f"{key} is used but not in sivreg/rulebook/messages/"
        for lang in ("nb", "en"):
            assert book.messages[key][lang].strip(), f"{key} has no {lang} text"


def test_every_ui_message_is_used():
    book = sivreg.rulebook()
    text = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
    for key in book.messages:
        if key.startswith("ui."):
            assert f'"{key}"' in text, f"{key} is never shown"


def test_a_missing_translation_is_an_error(tmp_path):
    root = tmp_path / "rulebook"
    shutil.copytree(ROOT / "sivreg" / "rulebook", root)
    ui = root / "messages" / "ui.yaml"
    text = ui.read_text(encoding="utf-8")
    broken = text.replace('ui.language: {nb: "Språk", en: "Language"}', 'ui.language: {nb: "Språk"}')
    assert broken != text
    ui.write_text(broken, encoding="utf-8")
    with pytest.raises(RulebookError) as exc:
        load_rulebook(root)
    assert "ui.language" in str(exc.value) and "ui.yaml" in str(exc.value)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_page_is_entirely_in_one_language(lang):
    from sivreg.views import Questionnaire
    q = Questionnaire(lang=lang, as_of="2026-11-26")
    book = sivreg.rulebook()
    other = "en" if lang == "nb" else "nb"
    page = q.heading.value + q.save_heading.value + q.progress.value + q.upload.description
    for key in ("ui.app_title", "ui.intro", "ui.save_title", "ui.questions", "ui.resume"):
        assert esc(book.text(key, lang)) in page or book.text(key, lang) in page
        assert book.text(key, other) not in page
