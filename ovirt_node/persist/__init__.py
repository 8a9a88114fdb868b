"""Persistence on a read-only root: which paths may be kept, the mounts, and the /config store."""
