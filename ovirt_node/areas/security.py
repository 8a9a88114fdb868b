"""Security: sshd's crypto environment (3.x strong RNG bytes and AES-NI switch) and the admin
password.

3.x exported `SSH_USE_STRONG_RNG=N` and `OPENSSL_DISABLE_AES_NI=1` from /etc/profile and
restarted sshd. Here they go to the environment file sshd's unit reads (`EnvironmentFile=`:
/etc/sysconfig/sshd on EL, /etc/default/ssh on Debian; `ovirt_node/data/platforms`) through the
Shellvars lens, and sshd is restarted. OpenSSL dropped the Red Hat-only AES-NI variable; the
current way is its capability mask, `OPENSSL_ia32cap`, with the AES-NI bit (#57) cleared.
`SSH_USE_STRONG_RNG` is honoured by the EL builds of OpenSSH.

The admin password is a secret key: it never reaches /etc/default/ovirt (the engine skips
secret keys there), a log, or a command line. It goes to `chpasswd` on stdin. The kernel
argument `adminpw=` carries a crypt(3) hash instead, set with `chpasswd -e` (the hash on stdin
too: argv is readable by every user in /proc) and expired with `chage -d 0` so that the admin
must choose a new password at the first login, as on 3.x.
`rootpw=` does the same for root and, as on 3.x, also for the admin when `adminpw=` is not given.
A password is compared with the stored hash before it is planned: the clear text crypted with
the stored hash's method and salt (or a hash as it is) equal to it is no change, so re-applying
an answers file or the same kernel arguments does not set the password again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ovirt_node.core.aug import SHELL_VARS, Augeas, LensFile, files_node
from ovirt_node.core.context import Context
from ovirt_node.core.engine import InvalidChanges
from ovirt_node.core.model import KernelArgHandler, Key, Kind, Section, changed_fields, switch_arg
from ovirt_node.core.platform import detect
from ovirt_node.core.steps import AugeasEdit, RestartUnit
from ovirt_node.core.transaction import Step, StepRun
from ovirt_node.core.valid import Boolean, Number, OneOf, Regex, Text
from ovirt_node.system.accounts import ADMIN_USER, has_password, password_state, user_exists

#: Every platform's sshd environment file (`sshd-environment` in ovirt_node/data/platforms); loading a
#: file that does not exist costs nothing, and the platform picks the one to write.
SSHD_ENV_FILES = (LensFile(SHELL_VARS, "/etc/sysconfig/sshd"), LensFile(SHELL_VARS, "/etc/default/ssh"))

STRONG_RNG_VAR = "SSH_USE_STRONG_RNG"
IA32CAP_VAR = "OPENSSL_ia32cap"
#: OpenSSL's capability vector with bit #57 (AES-NI) cleared.
NO_AES_NI = "~0x200000000000000"

SHADOW = "/etc/shadow"
LOGIN_DEFS = "/etc/login.defs"
#: chpasswd's --crypt-method names; the target's login.defs picks one, else SHA512.
CRYPT_METHODS = ("SHA512", "SHA256", "YESCRYPT", "BCRYPT")

_B64 = "[./0-9A-Za-z]"
#: crypt(3) hashes by method: MD5, SHA-256, SHA-512 (optional rounds), bcrypt, yescrypt, scrypt.
CRYPT_HASH = Regex(
    rf"\$1\${_B64}{{1,8}}\${_B64}{{22}}"
    rf"|\$5\$(?:rounds=\d+\$)?{_B64}{{1,16}}\${_B64}{{43}}"
    rf"|\$6\$(?:rounds=\d+\$)?{_B64}{{1,16}}\${_B64}{{86}}"
    rf"|\$2[abxy]\$\d\d\${_B64}{{53}}"
    rf"|\$g?y\${_B64}+\${_B64}+\${_B64}{{43}}"
    rf"|\$7\${_B64}+\${_B64}{{43}}",
    "a crypt(3) password hash ($6$..., $y$..., as `openssl passwd -6` prints)",
)
ROOT_USER = "root"
MIN_PASSWORD = 5  # 3.x's floor; the strength hint tells the operator more


@dataclass(frozen=True)
class SecuritySettings:
    strong_rng: int | None
    disable_aes_ni: bool
    admin_password: str = field(repr=False)
    admin_password_hash: str = field(repr=False)
    root_password_hash: str = field(repr=False, default="")


def sshd_env_file(ctx: Context) -> LensFile:
    path = detect(ctx.root).path("sshd-environment")
    return next((f for f in SSHD_ENV_FILES if f.path == path), LensFile(SHELL_VARS, path))


def _unquote(raw: str | None) -> str | None:
    return None if raw is None else raw.strip().strip("\"'")


class Security(Section):
    name = "security"
    title = "Security"
    settings = SecuritySettings
    lens_files = SSHD_ENV_FILES
    keys = (
        Key("security.strong_rng", "OVIRT_USE_STRONG_RNG",
            OneOf("0", description="0 (off)") | Number(14, 1024), Kind.INT, "0",
            "bytes sshd reads from /dev/random to reseed (0: off; EL's OpenSSH)"),
        Key("security.disable_aes_ni", "OVIRT_DISABLE_AES_NI", Boolean(), Kind.BOOL, "no",
            "keep sshd's OpenSSL from using the CPU's AES-NI instructions"),
        Key("security.admin_password", None, Text(min_length=MIN_PASSWORD), Kind.TEXT, "",
            f"new password of the {ADMIN_USER} user (never stored; set with chpasswd), or a crypt(3) hash of it "
            "(as `export --with-secrets` writes it); the password the user has already is no change",
            secret=True),
        Key("security.admin_password_hash", None, CRYPT_HASH, Kind.TEXT, "",
            f"a crypt(3) hash to set as {ADMIN_USER}'s password, which must then be changed at the "
            "first login (kernel argument adminpw=)", secret=True),
        Key("security.root_password_hash", None, CRYPT_HASH, Kind.TEXT, "",
            "a crypt(3) hash to set as root's password, which must then be changed at the first login "
            "(kernel argument rootpw=)", secret=True),
    )

    def read(self, ctx: Context) -> dict[str, str | None]:
        env = sshd_env_file(ctx)
        if not ctx.root(env.path).exists():
            return {}
        node = files_node(env.path)
        rng = _unquote(ctx.aug.get(f"{node}/{STRONG_RNG_VAR}"))
        cap = _unquote(ctx.aug.get(f"{node}/{IA32CAP_VAR}"))
        return {
            "security.strong_rng": rng if rng and rng.isdigit() else "0",
            "security.disable_aes_ni": "yes" if cap == NO_AES_NI else "no",
            # The secrets are write-only: nothing reads a password (or its hash) back.
        }

    def plan(self, ctx: Context, old: SecuritySettings, new: SecuritySettings) -> Sequence[Step]:
        changed = changed_fields(old, new)
        steps: list[Step] = []
        if changed & {"strong_rng", "disable_aes_ni"}:
            steps += [
                AugeasEdit("Configure the SSH daemon's environment", sshd_env_file(ctx),
                           lambda aug: write_sshd_env(aug, sshd_env_file(ctx), new)),
                RestartUnit(detect(ctx.root).unit("ssh")),
            ]
        wants_password = "admin_password" in changed and new.admin_password
        wants_hash = "admin_password_hash" in changed and new.admin_password_hash
        if (wants_password or wants_hash) and not user_exists(ctx.root, ADMIN_USER):
            key = "security.admin_password" if wants_password else "security.admin_password_hash"
            raise InvalidChanges({key: f"there is no user {ADMIN_USER} on this node (/etc/passwd)"})
        if wants_password:
            # A crypt(3) hash here is a password kept as a hash (an export --with-secrets): set as
            # it is, not expired. A clear text the admin already has (by the stored hash's salt) is
            # no change.
            as_hash = CRYPT_HASH.check(new.admin_password) is None
            if not has_password(ctx.root, ADMIN_USER, new.admin_password, hashed=as_hash):
                steps.append(SetAdminPassword(ADMIN_USER, new.admin_password, hashed=as_hash, expire=False))
        elif wants_hash and not has_password(ctx.root, ADMIN_USER, new.admin_password_hash, hashed=True):
            steps.append(SetAdminPassword(ADMIN_USER, new.admin_password_hash, hashed=True))
        if "root_password_hash" in changed and new.root_password_hash:
            if not user_exists(ctx.root, ROOT_USER):
                raise InvalidChanges({"security.root_password_hash": "there is no user root (/etc/passwd)"})
            if not has_password(ctx.root, ROOT_USER, new.root_password_hash, hashed=True):
                steps.append(SetAdminPassword(ROOT_USER, new.root_password_hash, hashed=True))
        return steps

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        # rootpw= sets the admin's password too unless adminpw= is given, before or after it: a later
        # adminpw= overrides (the changes are merged in order), an earlier one is remembered here.
        adminpw_given = False

        def adminpw(value: str | None) -> dict[str, str]:
            nonlocal adminpw_given
            adminpw_given = True
            return {"security.admin_password_hash": value or ""}

        def rootpw(value: str | None) -> dict[str, str]:
            changes = {"security.root_password_hash": value or ""}
            if not adminpw_given:
                changes["security.admin_password_hash"] = value or ""
            return changes

        return {
            "adminpw": adminpw,
            "rootpw": rootpw,
            "use_strong_rng": lambda v: {"security.strong_rng": v or ""},
            "disable_aes_ni": switch_arg("disable_aes_ni", {"security.disable_aes_ni": "yes"},
                                         {"security.disable_aes_ni": "no"}),
        }


def write_sshd_env(aug: Augeas, env: LensFile, new: SecuritySettings) -> None:
    node = files_node(env.path)
    if new.strong_rng:
        aug.set(f"{node}/{STRONG_RNG_VAR}", str(new.strong_rng))
    else:
        aug.remove(f"{node}/{STRONG_RNG_VAR}")
    current = _unquote(aug.get(f"{node}/{IA32CAP_VAR}"))
    if new.disable_aes_ni:
        aug.set(f"{node}/{IA32CAP_VAR}", f'"{NO_AES_NI}"')
    elif current == NO_AES_NI:  # someone else's mask is not ours to remove
        aug.remove(f"{node}/{IA32CAP_VAR}")


def crypt_method(ctx: Context) -> str:
    """The target's ENCRYPT_METHOD (login.defs) when chpasswd knows it, else SHA512."""
    try:
        text = ctx.root(LOGIN_DEFS).read_text(errors="replace")
    except OSError:
        return "SHA512"
    match = re.search(r"^\s*ENCRYPT_METHOD\s+(\S+)", text, re.MULTILINE)
    method = match.group(1).upper() if match else ""
    return method if method in CRYPT_METHODS else "SHA512"


@dataclass(frozen=True)
class SetAdminPassword(Step):
    """Set a user's password with the system's tools, the secret never in argv or a log.

    A clear-text password goes to `chpasswd` on stdin (PAM on the host; under a root prefix
    `--root` with an explicit `--crypt-method`, since PAM cannot start inside a bare tree).
    A hash goes to `chpasswd -e`, also on stdin, and is expired with `chage -d 0` (3.x's
    `adminpw=`; 3.x used `usermod -p`, which shows the hash to every user in the process
    list). The runner refuses any call with the secret in argv. These tools replace /etc/shadow
    by rename, which is why the store keeps it as a copy, not a bind mount (persist.COPIED);
    PersistPath copies it back.
    """

    user: str
    secret: str = field(repr=False)
    hashed: bool = False
    title: str = ""
    #: A hash is a temporary password (adminpw=, rootpw=) unless it is a kept one (apply of an export).
    expire: bool = True

    def __post_init__(self) -> None:
        self._default_title(
            f"Set the temporary password of {self.user} (to be changed at the first login)" if self.expires
            else f"Set the password of {self.user}"
        )

    @property
    def expires(self) -> bool:
        return self.hashed and self.expire

    def describe(self) -> str:
        how = "chpasswd, password on stdin"
        if self.hashed:
            how = "chpasswd -e, hash on stdin" + (", and chage -d 0" if self.expire else "")
        return f"{self.title} ({how})"

    def touches(self) -> Sequence[str]:
        return (SHADOW,)

    def skip_reason(self, ctx: Context) -> str | None:
        if self.hashed and password_state(ctx.root, self.user).hash == self.secret:
            return f"{self.user} already has this password hash"
        return None

    def _root_args(self, ctx: Context) -> list[str]:
        return [] if ctx.root.is_host else ["--root", str(ctx.root.prefix)]

    def commands(self, ctx: Context) -> list[tuple[list[str], str | None]]:
        """(argv, stdin) of each command; the secret is only ever in stdin or (a hash) masked."""
        tools = detect(ctx.root)
        root = self._root_args(ctx)
        if self.hashed:
            commands: list[tuple[list[str], str | None]] = [
                ([tools.tool("chpasswd"), *root, "--encrypted"], f"{self.user}:{self.secret}\n")]
            if self.expire:
                commands.append(([tools.tool("chage"), *root, "-d", "0", self.user], None))
            return commands
        method = [] if ctx.root.is_host else ["--crypt-method", crypt_method(ctx)]
        return [([tools.tool("chpasswd"), *root, *method], f"{self.user}:{self.secret}\n")]

    def apply(self, ctx: Context, run: StepRun) -> None:
        for argv, stdin in self.commands(ctx):
            ctx.runner(argv, input=stdin, secrets=[self.secret])
