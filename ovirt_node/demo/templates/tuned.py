"""python-dbusmock template: tuned's control interface, for the tests and the demo.

dbusmock ships no tuned template. This one answers the calls ovirt-node makes (profiles,
profiles2, active_profile, switch_profile, disable) plus is_running/start/stop, and refuses an
unknown profile as tuned does. Parameters (JSON):

- "profiles": [[name, summary], ...] the installed profiles
- "active": the active profile ("" = tuning off)
- "root": a directory standing in for /: the mock then also writes etc/tuned/active_profile
  and etc/tuned/profile_mode under it, as tuned does on the real node
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

BUS_NAME = "com.redhat.tuned"
MAIN_OBJ = "/Tuned"
MAIN_IFACE = "com.redhat.tuned.control"
SYSTEM_BUS = True


def _save(mock: Any, active: str) -> None:
    if not mock.tuned_root:
        return
    directory = Path(mock.tuned_root, "etc/tuned")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "active_profile").write_text(active + "\n")
    (directory / "profile_mode").write_text("manual\n")


def _switch(mock: Any, name: str) -> tuple[bool, str]:
    if name not in [n for n, _summary in mock.tuned_profiles]:
        return False, f"Requested profile '{name}' doesn't exist."
    mock.tuned_active = name
    _save(mock, name)
    return True, "OK"


def _disable(mock: Any) -> bool:
    mock.tuned_active = ""
    _save(mock, "")
    return True


def load(mock: Any, parameters: dict[str, Any]) -> None:
    mock.tuned_profiles = [(str(name), str(summary)) for name, summary in parameters.get("profiles", [])]
    mock.tuned_active = str(parameters.get("active", ""))
    mock.tuned_root = str(parameters.get("root") or "")
    # Method bodies run inside dbusmock with `self` the mock object: reach the helpers through it.
    mock.tuned_switch = _switch
    mock.tuned_disable = _disable
    mock.AddMethods(MAIN_IFACE, [
        ("profiles", "", "as", "ret = [name for name, _summary in self.tuned_profiles]"),
        ("profiles2", "", "a(ss)", "ret = self.tuned_profiles"),
        ("active_profile", "", "s", "ret = self.tuned_active"),
        ("switch_profile", "s", "(bs)", "ret = self.tuned_switch(self, str(args[0]))"),
        ("disable", "", "b", "ret = self.tuned_disable(self)"),
        ("is_running", "", "b", "ret = True"),
        ("start", "", "b", "ret = True"),
        ("stop", "", "b", "ret = True"),
    ])
