"""tuned's profiles and active profile as it keeps them on disk, and `tuned-adm list` output.

Profiles are directories holding a `tuned.conf`: /usr/lib/tuned/NAME before tuned 2.23,
/usr/lib/tuned/profiles/NAME since, and the same under /etc/tuned for the admin's own. The
active profile's name is in /etc/tuned/active_profile (empty while tuning is off), and
/etc/tuned/profile_mode says whether it was picked by hand ("manual") or recommended ("auto").
No D-Bus here, so reading these costs no dbus import (see `ovirt_node.system.tuned`).
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass

from ovirt_node.core.root import Root

ACTIVE_PROFILE = "/etc/tuned/active_profile"
PROFILE_MODE = "/etc/tuned/profile_mode"
#: Later directories override earlier ones for the same name, as tuned's own lookup does.
PROFILE_DIRS = ("/usr/lib/tuned", "/usr/lib/tuned/profiles", "/etc/tuned", "/etc/tuned/profiles")
PROFILE_FILE = "tuned.conf"

#: What tuned accepts as a profile name (its own check refuses anything else over D-Bus).
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
_NAME = re.compile(NAME_PATTERN)


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str = ""


def valid_name(name: str) -> bool:
    return _NAME.fullmatch(name) is not None


def parse_tuned_adm_list(text: str) -> tuple[list[Profile], str | None]:
    """`tuned-adm list` output -> (profiles, active profile; "" when off, None if not said).

    Lines look like `- virtual-host   - Optimize for running KVM guests`; newer tuned-adm
    adds a "Current active profile: NAME" (or "No current active profile.") line."""
    profiles: list[Profile] = []
    active: str | None = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("- "):
            name, _, summary = line[2:].partition(" - ")
            name = name.strip()
            if valid_name(name):
                profiles.append(Profile(name, summary.strip()))
        elif line.startswith("Current active profile:"):
            active = line.split(":", 1)[1].strip()
        elif line.startswith("No current active profile"):
            active = ""
    return profiles, active


def _summary(conf: str) -> str:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(conf)
    except configparser.Error:
        return ""
    return parser.get("main", "summary", fallback="").strip()


def profiles_on_disk(root: Root) -> list[Profile]:
    """The profiles installed under the root, by name, as tuned would find them."""
    found: dict[str, Profile] = {}
    for directory in PROFILE_DIRS:
        base = root(directory)
        if not base.is_dir():
            continue
        for conf in sorted(base.glob(f"*/{PROFILE_FILE}")):
            name = conf.parent.name
            if not valid_name(name):
                continue
            try:
                text = conf.read_text(errors="replace")
            except OSError:
                continue
            found[name] = Profile(name, _summary(text))
    return sorted(found.values(), key=lambda p: p.name)


def read_active_file(root: Root) -> str | None:
    """What /etc/tuned/active_profile under the root says: a name, "" (off), None (no file)."""
    try:
        return root(ACTIVE_PROFILE).read_text().strip()
    except OSError:
        return None
