"""Dialogs of the desktop app (export, preferences, training)."""
