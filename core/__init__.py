"""SeminarioIA core: headless audio restoration (no Qt imports allowed here)."""

__version__ = "0.1.0"
