"""The report lists with a first release day (#19, ``--from``/``from``): the item walk a
long list takes (``reports._first_items``) gives the page the plain sort gives, with a
first day as with a last one, and the count is the rows', on both databases."""

from __future__ import annotations

from datetime import timedelta
from itertools import product

from sqlalchemy.orm import Session

from pegboard import clock
from pegboard.bundle.importer import read_bundle
from pegboard.demo import demo_path
from pegboard.services import reports
from pegboard.services.company_data import replace_company
from pegboard.services.planning import run_plan
from pegboard.services.release_windows import release_windows

MANY = 10**6
"""A count above ``reports.WALK_ITEMS_ABOVE``: the list takes the item-by-item way."""


def test_a_first_release_day_walks_to_the_page_the_full_sort_gives(session: Session) -> None:
    replace_company(session, read_bundle(demo_path("lighting")), author="test")
    run_plan(session, author="test")
    today = clock.today()
    days = [today - timedelta(days=30), today, today + timedelta(days=20), None]
    windows = [(w.since, w.until) for w in release_windows(today)]
    listed_any = 0
    with session.begin():
        for kind, listed in (("buy", reports.buy_list), ("make", reports.make_list)):
            for since, until in [*product(days, days), *windows]:
                every = listed(session, since=since, until=until)
                assert reports.count_planned(session, kind, since=since, until=until) == len(every)
                assert all(
                    (since is None or r.release >= since) and (until is None or r.release <= until)
                    for r in every
                )
                listed_any += len(every)
                for limit, offset in ((3, 0), (3, 4), (20, 0)):
                    walked = listed(
                        session, since=since, until=until, limit=limit, offset=offset, known=MANY
                    )
                    assert walked == every[offset : offset + limit], (kind, since, until, offset)
        everything = len(reports.buy_list(session)) + len(reports.make_list(session))
    assert listed_any and everything, "the sample's lists compared rows"
