"""Building the node image (Debian root, squashfs, initramfs, boot media) from data/image."""
