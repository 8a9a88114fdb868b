"""What collectd says about a configuration it cannot use (it exits 0 for most of them): shared
by the checks on the demo root (test_monitoring_config.py) and on the node root (test_node_root.py)."""

COMPLAINTS = ("There is configuration for", "is not allowed here", "needs one or two string arguments",
              "Parse error", "Could not find plugin", "failed to handle option", "Error:", "configfile:")
