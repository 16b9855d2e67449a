"""shuiyang (水阳信息网, 动易 PowerEasy 2006, ASP, GB2312) held to the tests every generated portal gets (tests/sitekit.py
``site_tests``): replay of its mirror and a crawl through the local proxy compared field by field with
the generator's expected items, rejects and pending pages, WARCs, a second run incremental, the
drift alarm when its template changes, ``-a since``.

Its profile (northnews/sites/shuiyang/site.toml, written from the README alone) and fixture
(tests/fixtures/sites/shuiyang/, written by a generator that does not import northnews) are the only
files that describe it. ``-a since``: PowerEasy's URLs carry no date and its lists print ``9-6`` without a year: those 上一篇/下一篇
and 相关文章 link are fetched (README: since).
"""

from __future__ import annotations

import pytest

from tests.sitekit import Portal, site_tests

pytestmark = pytest.mark.slow

#: What the profile asks of northnews that it cannot do yet (a strict xfail naming it).
MISSING: tuple[str, ...] = ()

globals().update(site_tests(Portal("shuiyang"), since="2007-09-01", since_complete=False, soft_404=True,
                            min_items=20, missing=MISSING))
