"""The Network page and its dialogs."""
