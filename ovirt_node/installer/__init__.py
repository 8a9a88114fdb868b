"""installer layer of ovirt-node (see DESIGN.md)."""
