"""Building the node image (Debian root, squashfs, initramfs, boot media) from ovirt_node/data/image."""
