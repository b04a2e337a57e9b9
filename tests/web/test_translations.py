"""Every message a user can read has an Indonesian translation (Indonesian is the default)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import messages

from kilas.web.i18n import _catalog, current_locale, gettext


def test_every_message_is_translated_to_indonesian() -> None:
    assert messages.missing("id") == []


def test_translations_keep_their_placeholders() -> None:
    import re

    for source, translated in _catalog("id").items():
        texts = translated if isinstance(translated, tuple) else (translated,)
        for text in texts:
            assert set(re.findall(r"\{\w+\}", text)) <= set(re.findall(r"\{\w+\}", source)) | {"{num}"}, (
                source
            )


def test_gettext_follows_the_current_locale() -> None:
    token = current_locale.set("en")
    try:
        assert gettext("Log in") == "Log in"
    finally:
        current_locale.reset(token)
    assert gettext("Log in") == "Masuk"
