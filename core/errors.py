"""The typed errors ``core`` raises; ``app`` and the CLI map each to a human message."""

from __future__ import annotations


class SeminarioError(Exception):
    """Base of every error ``core`` raises on purpose."""


class AudioFormatError(SeminarioError):
    """A file cannot be read or written as audio (missing, corrupt, unsupported)."""


class InvalidAudioError(SeminarioError, ValueError):
    """An in-memory signal is not usable (wrong shape, dtype, NaN/inf, empty)."""


class UnsafeOutputError(SeminarioError):
    """Writing would overwrite an input or another file the user owns."""


class PairingError(SeminarioError):
    """Paired noisy/clean folders cannot be used for training."""


class ModelFormatError(SeminarioError):
    """A model bundle is missing, corrupt, unsafe or of an unknown version."""


class ConfigError(SeminarioError, ValueError):
    """A chain, preset or training configuration is invalid."""


class Cancelled(SeminarioError):
    """Long work stopped because its cancel token was set."""
