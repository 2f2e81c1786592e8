"""Audio file input/output, validation and resampling."""
