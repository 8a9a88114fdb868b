"""The node's boot path after the initramfs: early storage and configuration, and what runs on
the console (installer, first-boot setup, or the normal login)."""
