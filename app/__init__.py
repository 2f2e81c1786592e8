"""SeminarioIA desktop application (the only package that imports Qt)."""

from core import __version__

__all__ = ["__version__"]
