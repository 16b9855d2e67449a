"""harwick (The Harwick Courier, a Drupal 10 county newspaper) held to the tests every generated portal gets (tests/sitekit.py
``site_tests``): replay of its mirror and a crawl through the local proxy compared field by field with
the generator's expected items, rejects and pending pages, WARCs, a second run incremental, the
drift alarm when its template changes, ``-a since``.

Its profile (northnews/sites/harwick/site.toml, written from the README alone) and fixture
(tests/fixtures/sites/harwick/, written by a generator that does not import northnews) are the only
files that describe it. ``-a since``: Every article URL carries its day (pathauto's Y/m/d): the items are exactly those dated
``since`` or later.
"""

from __future__ import annotations

import pytest

from tests.sitekit import Portal, site_tests

pytestmark = pytest.mark.slow

#: What the profile asks of northnews that it cannot do yet (a strict xfail naming it).
MISSING: tuple[str, ...] = ()

globals().update(site_tests(Portal("harwick"), since="2024-03-10", since_complete=True, soft_404=False,
                            min_items=20, missing=MISSING))
