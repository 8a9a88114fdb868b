"""Loop-device scenarios of what the installer screens added to the engine, run by
tests/integration/test_install_ui_loop.py like install_loop.py's: the installed node's
persisted shadow read from its Config volume (the upgrade screen's password check), and an
upgrade that sets a new admin password in the node's persisted configuration.

Run as `unshare -m --propagation private -- python install_ui_loop.py SCENARIO WORKDIR`.
"""

from __future__ import annotations

import sys

from ovirt_node.installer.image import open_image
from ovirt_node.installer.installed import persisted_file
from ovirt_node.installer.plan import flows
from ovirt_node.installer.screens.state import shadow_hash
from ovirt_node.system.accounts import crypt
from tests.integration import install_loop
from tests.integration.install_loop import Json, Scenario, make_image, sh


def matches(password: str, hashed: str) -> bool:
    return bool(hashed) and crypt(password, hashed) == hashed


def scenario_upgrade_new_password(s: Scenario) -> Json:
    old = sh("openssl", "passwd", "-6", "-salt", "oldsalt", "old-secret").strip()
    root = sh("openssl", "passwd", "-6", "-salt", "rootsalt", "root-secret").strip()
    s.install(make_image(s.workdir / "v1", "4.0.1"), f"adminpw={old} rootpw={root} console=ttyS0")
    before = s.observe_config()
    shadow = persisted_file(s.session(), "/etc/shadow")
    read_back = shadow_hash(shadow.decode(), "admin") if shadow else ""
    v2 = open_image(make_image(s.workdir / "v2", "4.0.2"))
    flows.upgrade(s.session(), s.inspect(), v2, {"security.admin_password": "new-secret-9"}).run(
        s.session().ctx, s.progress)
    after = s.observe_config()
    admin = (after["shadow_admin"] or "").split(":")
    shadow_after = persisted_file(s.session(), "/etc/shadow") or b""
    return {"read_back_is_old": read_back == old, "old_matches": matches("old-secret", read_back),
            "new_matches": len(admin) > 1 and matches("new-secret-9", admin[1]),
            "must_change": admin[2] if len(admin) > 2 else None,
            # root's persisted hash survives: the password was set in the node's shadow, not the image's
            "root_kept": shadow_hash(shadow_after.decode(), "root") == root,
            "fstab_same": after["fstab"] == before["fstab"], "index_same": after["index"] == before["index"],
            "booted": str(s.inspect()), "mounts": s.leftover_mounts(), "events": s.events}


if __name__ == "__main__":
    install_loop.SCENARIOS["upgrade_new_password"] = scenario_upgrade_new_password
    sys.exit(install_loop.main())
