"""The network subsystem: the typed model, pure edits of it, NetworkManager keyfiles, the apply
steps and the section."""
