"""Who may unlock the locked console: the admin's password, checked by PAM
(`ovirt_node.system.pam`, loaded only when it is used), or "demo" with `--demo`.

Authentication can take seconds (PAM's delay after a failure), so callers run it in a worker.
"""

from __future__ import annotations

from typing import Protocol

ADMIN_USER = "admin"
PAM_SERVICE = "login"
DEMO_PASSWORD = "demo"


class Authenticator(Protocol):
    #: Shown on the lock screen: whose password unlocks it.
    user: str

    def authenticate(self, password: str) -> bool:
        """True when `password` is the user's; never raises for a wrong password."""


class DemoAuthenticator:
    """For the demo and tests: the password is "demo"."""

    def __init__(self, user: str = ADMIN_USER) -> None:
        self.user = user

    def authenticate(self, password: str) -> bool:
        return password == DEMO_PASSWORD


def default_authenticator(demo: bool) -> Authenticator:
    """The demo password with `--demo`, else PAM (raises pam.PamUnavailable without libpam)."""
    if demo:
        return DemoAuthenticator()
    from ovirt_node.system.pam import PamAuthenticator

    return PamAuthenticator(ADMIN_USER, PAM_SERVICE)
