"""Names people know for console keymaps: "German (de-latin1)" rather than "de-latin1" alone.

A keymap's name starts with a code for its language or country (console-data's and kbd's
files: de, de_CH, uk, trq, slovene, ...); the rest names a variant, kept in the brackets.
A code not listed here shows the keymap's name alone, as before.
"""

from __future__ import annotations

import re

#: The leading code of a keymap name -> the language or layout it is for.
LANGUAGES: dict[str, str] = {
    "al": "Albanian", "am": "Armenian", "az": "Azerbaijani", "be": "Belgian", "bg": "Bulgarian",
    "bg_bds": "Bulgarian BDS", "bg_pho": "Bulgarian phonetic", "br": "Brazilian", "by": "Belarusian",
    "bywin": "Belarusian", "ca": "Canadian", "cf": "Canadian French", "colemak": "Colemak", "croat": "Croatian",
    "cz": "Czech", "de": "German", "de_CH": "Swiss German", "dk": "Danish", "dvorak": "Dvorak",
    "ee": "Estonian", "en": "English", "es": "Spanish", "et": "Estonian", "fi": "Finnish", "fr": "French",
    "fr_CH": "Swiss French", "gr": "Greek", "hu": "Hungarian", "hu101": "Hungarian", "il": "Hebrew",
    "is": "Icelandic", "it": "Italian", "it2": "Italian", "jp": "Japanese", "jp106": "Japanese",
    "kazakh": "Kazakh", "kr": "Korean", "ky": "Kyrgyz", "la": "Latin American", "lt": "Lithuanian",
    "lv": "Latvian", "mk": "Macedonian", "nl": "Dutch", "nl2": "Dutch", "no": "Norwegian", "pl": "Polish",
    "pl2": "Polish", "pt": "Portuguese", "ro": "Romanian", "ro_std": "Romanian", "ru": "Russian",
    "se": "Swedish", "sg": "Swiss German", "sk": "Slovak", "slovene": "Slovenian", "sr": "Serbian",
    "sv": "Swedish", "tj": "Tajik", "trf": "Turkish F", "trq": "Turkish Q", "tr": "Turkish",
    "ua": "Ukrainian", "uk": "British English", "us": "US English",
}

_CODE = re.compile(r"[A-Za-z]+(?:_[A-Z]{2}|_[a-z]+)?\d*")


def language(name: str) -> str:
    """The language of keymap `name` ("" when its code is not known)."""
    match = _CODE.match(name)
    if match is None:
        return ""
    code = match.group(0)
    while code:
        if code in LANGUAGES:
            return LANGUAGES[code]
        code = code.rpartition("_")[0]  # de_XX: at least German
    return ""


def label(name: str) -> str:
    """"German (de-latin1)"; the name alone when its language is not known."""
    known = language(name)
    return f"{known} ({name})" if known else name
