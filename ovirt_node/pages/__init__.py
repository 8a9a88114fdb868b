"""The setup TUI's built-in pages (registered through the ovirt_node.plugins entry point group like any plugin's).

All but Status are registered as PageRefs: the menu lists them from here, and each page's
module is imported when it is first shown. Each page class takes its name, title and rank
from its reference below, so the two cannot differ.
"""

from ovirt_node.ui.page import PageRef

NETWORK = PageRef("network", "Network", 10, "ovirt_node.pages.network.page:NetworkPage")
SECURITY = PageRef("security", "Security", 20, "ovirt_node.pages.security:SecurityPage")
KEYBOARD = PageRef("keyboard", "Keyboard", 30, "ovirt_node.pages.keyboard:KeyboardPage")
LOGGING = PageRef("logging", "Logging", 50, "ovirt_node.pages.logging:LoggingPage")
KDUMP = PageRef("kdump", "Kdump", 60, "ovirt_node.pages.kdump:KdumpPage")
REMOTE_STORAGE = PageRef("remote-storage", "Remote Storage", 70, "ovirt_node.pages.storage:RemoteStoragePage")
MONITORING = PageRef("monitoring", "Monitoring", 90, "ovirt_node.pages.monitoring:MonitoringPage")
# As 3.x: after Monitoring, before Performance.
DIAGNOSTICS = PageRef("diagnostics", "Diagnostics", 95, "ovirt_node.pages.diagnostics:DiagnosticsPage")
PERFORMANCE = PageRef("performance", "Performance", 100, "ovirt_node.pages.performance:PerformancePage")
PLUGINS = PageRef("plugins", "Plugins", 300, "ovirt_node.pages.plugins:PluginsPage")
# Last, as 3.x (which hid it from the menu; here F8 and the menu both reach it).
SUPPORT = PageRef("support", "Support", 990, "ovirt_node.pages.support:SupportPage")
