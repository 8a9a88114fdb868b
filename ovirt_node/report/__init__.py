"""Reports for the operator and for support: the status summary, diagnostics, the support bundle and redaction."""
