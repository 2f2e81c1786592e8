"""Process-wide settings for heavy numeric work."""

from __future__ import annotations

import platform
import sys

import pytest

import core.runtime
from core.runtime import tune_memory_allocator

ON_GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not ON_GLIBC, reason="a setting of glibc's allocator")
def test_the_allocator_setting_takes_on_glibc_and_can_be_applied_again() -> None:
    assert tune_memory_allocator() is True
    assert tune_memory_allocator() is True


def test_a_c_library_without_mallopt_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoMallopt:  # musl, macOS
        def __init__(self, name: object) -> None:
            pass

    monkeypatch.setattr(core.runtime.ctypes, "CDLL", NoMallopt)
    assert tune_memory_allocator() is False
