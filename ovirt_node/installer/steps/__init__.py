"""The steps a planned installation runs: storage, laying the image down, the boot loader, configuration, hooks."""
