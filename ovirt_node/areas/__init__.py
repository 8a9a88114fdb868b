"""The settings areas: one module per area, each a Section of keys mapped to the node's real files."""
