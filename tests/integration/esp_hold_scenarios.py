"""Run as `unshare -m --propagation private -- python esp_hold_scenarios.py SCENARIO WORKDIR`:
inside a private mount namespace, /run and /boot are fresh tmpfs mounts, /etc/fstab is a
file naming a filesystem image (`WORKDIR/esp.img`) on /boot/efi with `noauto`, as the
installer's line for the ESP (ext4 here: the build host's kernel may lack vfat; the VM tests
use the real ESP). The node is the host's root (`/`), as on the running node: the ESP is really
mounted and unmounted. Writes WORKDIR/result.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ovirt_node.areas.bootconsole import menu_readable
from ovirt_node.areas.bootconsole_step import SetKernelConsoles
from ovirt_node.core.context import Context
from ovirt_node.core.esp import ESP
from ovirt_node.core.root import Root
from ovirt_node.core.transaction import Step, StepRun, Transaction, TransactionError

MENU = f"{ESP}/EFI/ovirt/grub.cfg"
GRUB_CFG = "menuentry 'oVirt Node' {\n  linux /vmlinuz root=/dev/HostVG/Root console=tty0\n}\n"


def sh(*argv: str) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def mounted() -> bool:
    return os.path.ismount(ESP)


def prepare(work: Path) -> None:
    for point in ("/run", "/boot"):
        sh("mount", "-t", "tmpfs", "tmpfs", point)
    Path(ESP).mkdir()
    image = work / "esp.img"
    sh("truncate", "-s", "16M", str(image))
    sh("mkfs.ext4", "-q", str(image))
    fstab = work / "fstab"
    fstab.write_text(f"# the installer's line\n{image} {ESP} ext4 loop,noauto 0 0\n")
    sh("mount", "--bind", str(fstab), "/etc/fstab")
    sh("mount", ESP)
    Path(MENU).parent.mkdir(parents=True)
    Path(MENU).write_text(GRUB_CFG)
    sh("umount", ESP)


@dataclass(frozen=True)
class Breaks(Step):
    """A later step of the same change that fails: the menu is restored, the ESP still there."""

    title: str = "Break"

    def apply(self, ctx: Context, run: StepRun) -> None:
        raise RuntimeError("disk on fire")


def the_menu() -> str:
    sh("mount", ESP)
    try:
        return Path(MENU).read_text()
    finally:
        sh("umount", ESP)


#: A run of ours that mounts the ESP and holds it (until it is killed).
HOLDER = """
import sys, time
from ovirt_node.core.esp import esp_mounted
from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner
with esp_mounted(Root.at("/"), Runner()):
    print("holding", flush=True)
    time.sleep(120)
"""


def killed(ctx: Context, result: dict[str, object]) -> None:
    """A run holding the ESP, a read beside it (which must leave the mount to it), the run
    killed with SIGKILL (no finally runs), then a read: it unmounts what the killed run left."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    with menu_readable(ctx):
        pass
    result["mounted after a read beside a live run"] = mounted()
    holder.kill()
    holder.wait()
    result["mounted after the run was killed"] = mounted()
    with menu_readable(ctx):
        result["read after the kill"] = Path(MENU).read_text()
    result["mounted after the next read"] = mounted()


def main(scenario: str, work: Path) -> None:
    prepare(work)
    ctx = Context(root=Root.at("/"))
    result: dict[str, object] = {}
    if scenario == "killed":
        killed(ctx, result)
        (work / "result.json").write_text(json.dumps(result))
        return
    with menu_readable(ctx):
        result["read"] = Path(MENU).read_text()
        result["mounted while read"] = mounted()
    result["mounted after read"] = mounted()
    set_console = SetKernelConsoles(MENU, ("ttyS0,115200n8",))
    if scenario == "admin-mounted":
        sh("mount", ESP)
        with menu_readable(ctx):
            pass
        result["admin mount kept by a read"] = mounted()
    steps: list[Step] = [set_console, Breaks()] if scenario == "rolled-back" else [set_console]
    try:
        Transaction("Console path", steps).run(ctx)
        result["outcome"] = "applied"
    except TransactionError as exc:
        result["outcome"] = str(exc)
    result["mounted after the change"] = mounted()
    if mounted():
        result["menu"] = Path(MENU).read_text()
        sh("umount", ESP)
    else:
        result["menu"] = the_menu()
    (work / "result.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
