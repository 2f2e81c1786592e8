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


class TensorFlowMissingError(SeminarioError):
    """Training, fine-tuning or converting a model was asked of an installation without
    TensorFlow (the app built for restoring only)."""


class ConfigError(SeminarioError, ValueError):
    """A chain, preset or training configuration is invalid."""


class Cancelled(SeminarioError):
    """Long work stopped because its cancel token was set."""


class InputAsOutputError(UnsafeOutputError):
    """An output names one of the inputs (directly, through a link, or a hard link)."""


class OutputExistsError(UnsafeOutputError):
    """An output exists and the caller did not ask to overwrite it."""


class OutputConflictError(UnsafeOutputError):
    """A file appeared at an output's name while it was being written; it was kept."""


class WriteError(SeminarioError):
    """A file could not be written (folder missing, disk problem); nothing was left."""


class FolderNotWritableError(WriteError):
    """The output folder is read-only or this user may not write there."""


class DiskFullError(WriteError):
    """The disk (or quota) ran out of space while writing; the partial file was removed."""


class DamagedAudioError(AudioFormatError):
    """A file is not audio after all, or its header contradicts its size."""


class AudioTooLongError(AudioFormatError):
    """A recording is longer than can be held in memory or than SeminarioIA accepts."""


class ChainFileError(ConfigError):
    """A chain file is too large, too deeply nested or has too many steps."""
