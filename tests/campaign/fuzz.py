"""In-process attacks where only validation matters (fast enough for the issue's ~13,900
inputs): generated `set` and `cmdline` inputs and malformed answers files for `apply` and the
installer. A case's input comes from its own seeded random generator, so a failure names a
seed that reproduces it."""

from __future__ import annotations

import contextlib
import io
import json
import random
import tempfile
import time
from pathlib import Path

from ovirt_node.areas.registry import all_sections
from tests.campaign.roots import KINDS, fresh
from tests.campaign.tree import content_view, diff, leftovers, stat_view

TRICKY = ["", " ", "0", "1", "-1", "yes", "no", "true", "off", "65536", "99999999999", "a", "a.b", "::",
          "0.0.0.0", "example.com.", "x" * 300, "a,b", "a b", "'", '"', "\\", "$(id)", "a\nb", "é", "/",
          "../etc", "%s", "{}", "#", ";", "\x00", "\udcff", "\u202e", "a" * 5000, "$6$salt$hash", "192.0.2.1",
          "2001:db8::1", "eth0", "bond0", "fr", "us", "de-latin1", "nfs.example.com:/export", "ssh://a@b"]


def run_cli(*args: str) -> tuple[int, str, str]:
    """`ovirt-node-config ARGS` in this process: exit code, stdout, stderr (a traceback that
    escapes main is caught here and reported as one)."""
    from ovirt_node.cli.config import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException as exc:  # noqa: BLE001  (the campaign counts it, it does not crash)
            import traceback
            err.write("Traceback (escaped main):\n" + "".join(traceback.format_exception(exc)))
            code = 1
    return code, out.getvalue(), err.getvalue()


def keys() -> list[tuple[str, str]]:
    return [(key.name, str(key.default)) for section in all_sections() for key in section.keys]


def value(rng: random.Random, default: str) -> str:
    pick = rng.random()
    if pick < 0.35:
        return rng.choice(TRICKY)
    if pick < 0.5 and default.lstrip("-").isdigit():
        return str(int(default) + rng.choice([-1, 1, 1000, -int(default) - 1]))
    if pick < 0.65:
        return str(rng.randint(-10, 200_000))
    if pick < 0.8:
        return ",".join(rng.choice(["a", "b.example.com", "192.0.2.1", "2001:db8::1", "", " "])
                        for _ in range(rng.randint(1, 3)))
    return "".join(chr(rng.choice([rng.randint(32, 126), rng.randint(0, 0x2FFF)])) for _ in range(rng.randint(0, 24)))


def set_args(rng: random.Random, pool: list[tuple[str, str]]) -> list[str]:
    chosen = rng.sample(pool, rng.choice([1, 1, 1, 2, 3]))
    return [f"{name}={value(rng, default)}" for name, default in chosen]


def cmdline_args(rng: random.Random, names: list[str]) -> list[str]:
    words = []
    for _ in range(rng.randint(1, 6)):
        if rng.random() < 0.75:
            name = rng.choice(names)
            words.append(name if rng.random() < 0.1 else f"{name}={value(rng, '')}")
        else:
            words.append("".join(chr(rng.randint(33, 0x7FF)) for _ in range(rng.randint(1, 12))))
    return [w for w in (w.replace(" ", "").replace("\x00", "") for w in words) if w] or ["quiet"]


class Checker:
    """Runs cases on one root and judges them; the content view is recomputed only when the
    cheap stat view says the tree changed."""

    def __init__(self, root: Path, kind: str) -> None:
        self.root, self.kind = root, kind
        self.stats = stat_view(root)
        self.content = content_view(root)

    def check(self, label: str, args: list[str], allowed: tuple[int, ...]) -> str | None:
        """None, or what went wrong."""
        stats = stat_view(self.root)
        if stats != self.stats:
            self.stats, self.content = stats, content_view(self.root)
        start = time.monotonic()
        code, out, err = run_cli("--root", str(self.root), *args)
        took = time.monotonic() - start
        problem = None
        odd_root = self.kind in ("broken", "odd")
        ok_codes = allowed + ((1,) if odd_root else ())
        if "Traceback" in err:
            problem = f"traceback: {err.strip().splitlines()[-1]}"
        elif code not in ok_codes:
            problem = f"exit {code}: {err.strip()[:300]}"
        elif code != 0 and not err.strip():
            problem = f"exit {code} without a reason"
        elif code == 2 and "Nothing was changed." not in err:
            problem = "exit 2 without 'Nothing was changed.'"
        elif code == 2 and stat_view(self.root) != self.stats:
            problem = f"exit 2 but written: {diff(self.stats, stat_view(self.root))[:5]}"
        elif code == 3 and args[0] == "cmdline" and "failed: " not in out:
            problem = "exit 3 without a failed area"
        elif code == 3 and args[0] == "cmdline" and "applied: " in out:
            pass  # each area is its own transaction: the applied ones stay (README, `cmdline`)
        elif code in (1, 3) and (changed := diff(self.content, content_view(self.root))):
            problem = f"exit {code} but the tree changed: {changed[:5]}"
        elif rest := leftovers(self.root):
            problem = f"left behind: {rest[:5]}"
        elif took > 10:
            problem = f"took {took:.1f} s"
        return None if problem is None else f"{self.kind} root: {label} {args!r}: {problem}"


def fuzz_chunk(job: tuple[str, int, int, int]) -> tuple[int, list[str], dict[str, int]]:
    """One worker's share: `count` cases of `family` ('set' or 'cmdline') from `seed`, the root
    kinds taking turns (a fresh root every 250 cases). Cases run, failures, cases per root kind."""
    family, seed, start, count = job
    pool = keys()
    names = sorted({n for s in all_sections() for n in s.kernel_args()})
    failures: list[str] = []
    codes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="ovirt-node-campaign-") as tmp:
        checker: Checker | None = None
        for n in range(start, start + count):
            if checker is None or n % 250 == 0:
                kind = KINDS[(n // 250) % len(KINDS)]
                checker = Checker(fresh(kind, Path(tmp), "root", variant=n // 250), kind)
            rng = random.Random(f"{seed}:{family}:{n}")
            if family == "set":
                args = ["set", *set_args(rng, pool)]
                allowed: tuple[int, ...] = (0, 2, 3)
            else:
                args = ["cmdline", "--", *cmdline_args(rng, names)]
                allowed = (0, 3)
            problem = checker.check(f"case {n}", args, allowed)
            if problem:
                failures.append(problem)
            codes[checker.kind] = codes.get(checker.kind, 0) + 1
    return count, failures, codes


# -- malformed answers files ----------------------------------------------------------------------

def apply_cases(rng: random.Random) -> list[tuple[str, bytes]]:
    """Answers files `apply` must refuse (exit 2, nothing written): named, with their bytes."""
    laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))
    cases = [
        ("non-UTF-8", b"ssh:\n  port: \xff\xfe22\n"),
        ("latin-1", "ssh:\n  port: 22\nnetwork:\n  hostname: caf\xe9\n".encode("latin-1")),
        ("UTF-16", "ssh:\n  port: 22\n".encode("utf-16")),
        ("NUL bytes", b"ssh:\x00\n  port: 22\n"),
        ("list nested 5000", b"a: " + b"[" * 5000 + b"]" * 5000),
        ("map nested 5000", b"a: " + b"{b: " * 5000 + b"1" + b"}" * 5000),
        ("JSON nested 5000", b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
        ("indent nested 300", b"a:\n" + b"".join(b"  " * i + b"k:\n" for i in range(1, 300))),
        ("billion laughs", laughs.encode()),
        ("alias", b"a: &x 1\nb: *x\n"),
        ("over 1 MiB", b"a: 1\n" + b"#" * (1 << 20)),
        ("200,000 keys", "".join(f"k{i}: 1\n" for i in range(200_000)).encode()),
        ("unclosed quote", b'ssh:\n  port: "22\n'),
        ("tab indent", b"ssh:\n\tport: 22\n"),
        ("bad JSON", b'{"ssh.port": 22,,}'),
        ("JSON trailing", b'{"ssh.port": "22"} x'),
        ("scalar", b"just text\n"),
        ("list top", b"- ssh.port: 22\n"),
        ("null top", b"null\n"),
        ("number top", b"42\n"),
        ("empty", b""),
        ("comment only", b"# nothing\n"),
        ("unknown key", b"ssh.portt: 22\n"),
        ("unknown section", b"nosuch:\n  x: 1\n"),
        ("surrogate", b'{"network.hostname": "a\\udfffb"}'),
        ("duplicate key", b"ssh.port: 22\nssh.port: 23\n"),
        ("dotted and nested", b"ssh.port: 2222\nssh:\n  port: 2223\n"),
        ("tag", b"ssh.port: !!python/object:os.system 22\n"),
        ("binary tag", b"ssh.port: !!binary aGk=\n"),
        ("merge key", b"base: &b {port: 22}\nssh:\n  <<: *b\n"),
        ("huge int", b"ssh.port: " + b"9" * 5000 + b"\n"),
        ("float port", b"ssh.port: 22.5\n"),
        ("inf port", b"ssh.port: .inf\n"),
        ("nan port", b"ssh.port: .nan\n"),
        ("BOM and bad", b"\xef\xbb\xbfssh.port: x\n"),
        ("directive", b"%YAML 9.9\n---\nssh.port: 22\n"),
        ("two documents", b"ssh.port: 22\n---\nssh.port: 23\n"),
        ("long key", b"k" * 100_000 + b": 1\n"),
    ]
    for name, _ in keys():
        bad = rng.choice(["[1, 2]", "{a: 1}", "[[[]]]", "{}", "[]", '"\\udcff"', '"' + "x" * 5000 + '"'])
        if name.startswith("security."):
            bad = rng.choice(["[Campaign-Secret-1]", "{p: Campaign-Secret-1}"])
        cases.append((f"{name} = {bad[:20]}", f"{name}: {bad}\n".encode()))
    return cases


def installer_cases(rng: random.Random) -> list[tuple[str, bytes]]:
    """Installer answers it must refuse (exit 2, the reason, no secret echoed)."""
    secret = "Campaign-Secret-2"
    cases = [
        ("non-UTF-8", b"mode = '\xc3\x28'\n"),
        ("list nested 5000", b"a = " + b"[" * 5000 + b"]" * 5000),
        ("table nested 5000", b"a = " + b"{b = " * 5000 + b"1" + b"}" * 5000),
        ("overcommit inf", b"[sizes]\novercommit = inf\n"),
        ("overcommit nan", b"[sizes]\novercommit = nan\n"),
        ("overcommit 1e308", b"[sizes]\novercommit = 1e308\n"),
        ("overcommit -1", b"[sizes]\novercommit = -1\n"),
        ("100,000 data disks", b"boot_disk = '/dev/vda'\ndata_disks = [" + b"'a'," * 100_000 + b"]\n"),
        ("65 data disks", b"boot_disk = '/dev/vda'\ndata_disks = [" + b"'/dev/vdb'," * 65 + b"]\n"),
        ("200,000 keys", "".join(f"k{i} = 1\n" for i in range(200_000)).encode()),
        ("2,000 keys", "".join(f"k{i} = 1\n" for i in range(2_000)).encode()),
        ("bad TOML", b"mode = \n"),
        ("unclosed table", b"[sizes\n"),
        ("duplicate table", b"[sizes]\nswap = 1\n[sizes]\nswap = 2\n"),
        ("mode wrong", b"mode = 'sideways'\n"),
        ("mode int", b"mode = 3\n"),
        ("sizes string", b"sizes = 'big'\n"),
        ("swap negative", b"[sizes]\nswap = -5\n"),
        ("swap huge", b"[sizes]\nswap = 99999999999999999999\n"),
        ("swap text", b"[sizes]\nswap = 'lots'\n"),
        ("unknown key", b"modee = 'install'\n"),
        ("boot disk list", b"boot_disk = ['/dev/vda']\n"),
        ("boot disk missing", b"mode = 'install'\nboot_disk = '/dev/nonexistent'\nconfirm = true\n"),
        ("password str", f'password = "{secret}"\n'.encode()),
        ("password list", f'[password]\nadmin = ["{secret}"]\n'.encode()),
        ("password table", f'[password]\ncurrent = {{x = "{secret}"}}\n'.encode()),
        ("password short", b'[password]\nadmin = "ab"\n'),
        ("password int", b"[password]\nadmin = 12345678\n"),
        ("hostname bad", b"hostname = 'a..b'\n"),
        ("keyboard bad", b"keyboard = 'xx-nosuch'\n"),
        ("storage_init bad", b"storage_init = 'maybe'\n"),
        ("confirm str", b"confirm = 'yes'\n"),
    ]
    for n in range(8):
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
        cases.append((f"random bytes {n}", junk + b"\xff"))
    return cases


def answers_family(seed: int) -> tuple[int, list[str], dict[str, int]]:
    """Every malformed answers file against `apply` (on each root kind in turn) and the installer."""
    from ovirt_node.cli import installer
    from tests.node_fixtures import DEMO_ROOT

    rng = random.Random(f"{seed}:answers")
    failures: list[str] = []
    count = 0
    with tempfile.TemporaryDirectory(prefix="ovirt-node-campaign-") as tmp:
        answers = Path(tmp) / "answers.yaml"
        for n, (name, data) in enumerate(apply_cases(rng)):
            kind = KINDS[n % 3]  # demo, el, minimal: a broken root refuses before the answers are read
            root = fresh(kind, Path(tmp), "root")
            before = content_view(root)
            answers.write_bytes(data)
            start = time.monotonic()
            code, out, err = run_cli("--root", str(root), "apply", str(answers))
            took = time.monotonic() - start
            count += 1
            bad = ("Traceback" in err or code != 2 or "Nothing was changed." not in err
                   or diff(before, content_view(root)) or took > 2 or "Campaign-Secret" in out + err)
            if bad:
                failures.append(f"apply {name} on {kind}: exit {code} in {took:.2f} s: {err.strip()[-300:]}")
        toml = Path(tmp) / "answers.toml"
        for name, data in installer_cases(rng):
            toml.write_bytes(data)
            out_buf, err_buf = io.StringIO(), io.StringIO()
            start = time.monotonic()
            with contextlib.redirect_stderr(err_buf), contextlib.redirect_stdout(out_buf):
                try:
                    code = installer.main(["--dry-run", "--machine", "demo", "--root", str(DEMO_ROOT), "--image",
                                           "/nonexistent.iso", "--answers", str(toml)])
                except BaseException as exc:  # noqa: BLE001
                    code, _ = 1, err_buf.write(f"Traceback: {exc!r}")
            took = time.monotonic() - start
            count += 1
            out, err = out_buf.getvalue(), err_buf.getvalue()
            if "Traceback" in err or code != 2 or out or not err.strip() or "Campaign-Secret" in err or took > 2:
                failures.append(f"installer {name}: exit {code} in {took:.2f} s: {err.strip()[-300:]}")
    return count, failures, {"apply": len(apply_cases(random.Random(f'{seed}:answers')))}


def dump(obj: object) -> str:
    return json.dumps(obj)
