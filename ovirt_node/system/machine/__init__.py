"""What the machine has: network interfaces, disks, memory, firmware and CPU.

One model, two sources: `probe()` looks at the real machine (sysfs and procfs through a Root,
``lsblk`` through a runner, the ``ethtool`` module on the host), `load_profile()` reads a JSON
profile from ``ovirt_node/data/machines/`` for the demo and the tests.
"""
