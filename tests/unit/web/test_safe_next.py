from __future__ import annotations

import pytest

from liveport.web.pages import safe_next


@pytest.mark.parametrize("target", ["/", "/shows/7", "/signin?next=%2Fme", "/a/b?c=d#e"])
def test_paths_on_this_site_are_kept(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", [
    None, "", "shows/7", "//evil.example", "///evil.example", "/\\evil.example",
    "/\t/evil.example", "/\n/evil.example", "/ /evil", "https://evil.example/",
    "javascript:alert(1)", "/\x00",
])
def test_anything_that_could_leave_the_site_goes_home(target):
    assert safe_next(target) == "/"
