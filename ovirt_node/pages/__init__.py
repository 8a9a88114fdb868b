"""The setup TUI's built-in pages (registered through the ovirt_node.plugins entry point group like any plugin's)."""
