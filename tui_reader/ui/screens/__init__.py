"""The reader's screens and dialogs."""
