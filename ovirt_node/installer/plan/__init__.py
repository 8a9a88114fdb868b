"""What an installation, upgrade, rollback or uninstall will do, decided before anything is touched."""
