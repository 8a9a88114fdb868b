"""The public surface for plugins: everything a page or a config area of an add-on imports.

Add-on plugins import from here only (their tests may also use `ovirt_node.ui.testing`);
the modules behind these names may move, these names stay. docs/plugins.md documents them.
"""

from __future__ import annotations

from ovirt_node.areas.registry import all_sections
from ovirt_node.areas.security import SetAdminPassword
from ovirt_node.core.aug import Augeas, LensFile, files_node
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine, InvalidChanges
from ovirt_node.core.model import KernelArgHandler, Key, Kind, Section, changed_fields, split_host_port, switch_arg
from ovirt_node.core.platform import PlatformNames
from ovirt_node.core.plugin_packages import declared_packages as debian_packages
from ovirt_node.core.plugin_packages import missing_packages
from ovirt_node.core.root import Root
from ovirt_node.core.steps import (
    AugeasEdit,
    EnableUnit,
    PersistPath,
    RestartUnit,
    RunCommand,
    StopUnit,
    WriteDefaults,
    WriteFile,
    unit_enabled,
    write_file_atomic,
)
from ovirt_node.core.transaction import Confirmation, Step, StepRun, Transaction, TransactionError
from ovirt_node.core.valid import (
    FQDN,
    IQN,
    URL,
    AllOf,
    AnyOf,
    Boolean,
    Empty,
    FQDNOrIP,
    Hostname,
    InvalidValue,
    IPAddress,
    IPv4Address,
    IPv6Address,
    NonEmpty,
    NoSpaces,
    Number,
    OneOf,
    Port,
    Regex,
    Text,
    Validator,
)
from ovirt_node.system.accounts import password_state, user_exists
from ovirt_node.ui.page import (
    Button,
    Checkbox,
    Choice,
    DialogUI,
    Display,
    Divider,
    Entry,
    FormSpec,
    FormUI,
    Item,
    KeyValue,
    Label,
    Notice,
    Page,
    PageContext,
    PageRef,
    PageUI,
    Password,
    Row,
    Table,
    Values,
    read_hostname,
)

__all__ = [
    # pages
    "Page", "PageRef", "PageContext", "PageUI", "FormUI", "DialogUI", "FormSpec", "Values", "read_hostname",
    "Item", "Entry", "Password", "Choice", "Checkbox", "Table", "Row", "Display", "Button", "Label",
    "Notice", "KeyValue", "Divider",
    # config areas
    "Section", "Key", "Kind", "KernelArgHandler", "changed_fields", "split_host_port", "switch_arg", "all_sections",
    "Context", "Root", "PlatformNames", "Augeas", "LensFile", "files_node",
    # validators
    "Validator", "InvalidValue", "AllOf", "AnyOf", "Text", "NonEmpty", "Empty", "NoSpaces", "Boolean",
    "OneOf", "Regex", "Number", "Port", "IPAddress", "IPv4Address", "IPv6Address", "FQDN", "Hostname",
    "FQDNOrIP", "IQN", "URL",
    # steps and transactions
    "Step", "StepRun", "Confirmation", "Transaction", "TransactionError", "WriteDefaults", "AugeasEdit",
    "WriteFile", "write_file_atomic",
    "RunCommand", "RestartUnit", "StopUnit", "EnableUnit", "unit_enabled", "PersistPath", "SetAdminPassword",
    # the engine, and accounts
    "Engine", "InvalidChanges", "password_state", "user_exists",
    # the Debian packages a plugin declares
    "debian_packages", "missing_packages",
]
