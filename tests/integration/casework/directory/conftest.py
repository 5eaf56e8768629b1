"""The HSDS 3.0 validator the directory's tests hold every answer to."""

from __future__ import annotations

import pytest

from kit.testing.hsds import Hsds


@pytest.fixture(scope="session")
def hsds() -> Hsds:
    return Hsds()
