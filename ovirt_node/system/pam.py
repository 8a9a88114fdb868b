"""PAM through ctypes on libpam: no extra Python dependency.

The conversation callback answers PAM's password prompt (and a user-name prompt, should a
module ask) from memory allocated with libc, which PAM frees. After `pam_authenticate`,
`pam_acct_mgmt` must pass too: an expired or locked account does not unlock the console.
The password goes to libpam only and is never logged.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from typing import Any

log = logging.getLogger(__name__)

# Linux-PAM's constants (security/_pam_types.h).
_PAM_SUCCESS = 0
_PAM_CONV_ERR = 19
_PAM_PROMPT_ECHO_OFF = 1
_PAM_PROMPT_ECHO_ON = 2


class _Message(ctypes.Structure):
    _fields_ = [("msg_style", ctypes.c_int), ("msg", ctypes.c_char_p)]


class _Response(ctypes.Structure):
    _fields_ = [("resp", ctypes.c_void_p), ("resp_retcode", ctypes.c_int)]


_CONV = ctypes.CFUNCTYPE(
    ctypes.c_int,
    ctypes.c_int,
    ctypes.POINTER(ctypes.POINTER(_Message)),
    ctypes.POINTER(ctypes.POINTER(_Response)),
    ctypes.c_void_p,
)


class _Conversation(ctypes.Structure):
    _fields_ = [("conv", _CONV), ("appdata_ptr", ctypes.c_void_p)]


class PamUnavailable(RuntimeError):
    """libpam could not be loaded."""


class PamAuthenticator:
    """Checks a password against PAM's `service` stack for `user`."""

    def __init__(self, user: str, service: str = "login") -> None:
        self.user = user
        self.service = service
        name = ctypes.util.find_library("pam") or "libpam.so.0"
        try:
            self._pam: Any = ctypes.CDLL(name)
            self._libc: Any = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        except OSError as exc:
            raise PamUnavailable(f"cannot load libpam: {exc}") from exc
        self._libc.calloc.restype = ctypes.c_void_p
        self._libc.calloc.argtypes = [ctypes.c_size_t, ctypes.c_size_t]
        self._libc.strdup.restype = ctypes.c_void_p
        self._libc.strdup.argtypes = [ctypes.c_char_p]
        self._pam.pam_start.restype = ctypes.c_int
        self._pam.pam_start.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(_Conversation),
                                        ctypes.POINTER(ctypes.c_void_p)]
        self._pam.pam_authenticate.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self._pam.pam_acct_mgmt.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self._pam.pam_end.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self._pam.pam_strerror.restype = ctypes.c_char_p
        self._pam.pam_strerror.argtypes = [ctypes.c_void_p, ctypes.c_int]

    def _converse(self, password: bytes) -> Any:
        """The conversation callback: answers prompts; PAM frees the answers with free()."""
        user = self.user.encode()
        libc = self._libc

        def conv(count: int, messages: Any, responses: Any, _data: Any) -> int:
            if count <= 0:
                return _PAM_CONV_ERR
            answers = libc.calloc(count, ctypes.sizeof(_Response))
            if not answers:
                return _PAM_CONV_ERR
            array = ctypes.cast(answers, ctypes.POINTER(_Response))
            for i in range(count):
                style = messages[i].contents.msg_style
                if style == _PAM_PROMPT_ECHO_OFF:
                    array[i].resp = libc.strdup(password)
                elif style == _PAM_PROMPT_ECHO_ON:
                    array[i].resp = libc.strdup(user)
            responses[0] = array
            return _PAM_SUCCESS

        return _CONV(conv)

    def authenticate(self, password: str) -> bool:
        conv_func = self._converse(password.encode())  # kept referenced until pam_end
        conversation = _Conversation(conv_func, None)
        handle = ctypes.c_void_p()
        status = self._pam.pam_start(self.service.encode(), self.user.encode(), ctypes.byref(conversation),
                                     ctypes.byref(handle))
        if status != _PAM_SUCCESS:
            log.error("pam_start(%s, %s) failed: %d", self.service, self.user, status)
            return False
        try:
            status = self._pam.pam_authenticate(handle, 0)
            if status == _PAM_SUCCESS:
                status = self._pam.pam_acct_mgmt(handle, 0)
            if status != _PAM_SUCCESS:
                reason = self._pam.pam_strerror(handle, status) or b"?"
                log.warning("unlock as %s refused by PAM: %s", self.user, reason.decode(errors="replace"))
            return bool(status == _PAM_SUCCESS)
        finally:
            self._pam.pam_end(handle, status)


