"""The installer's TUI: the screens the operator sees after booting the node's media."""
