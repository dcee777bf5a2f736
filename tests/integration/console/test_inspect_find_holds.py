"""The search's "on hold" flag reads the holds table (issue #12, docs/inspector/FIND.md): a lot
is held while an authority's hold of it is not released — one query for the whole page, as
recalls are read. A released hold no longer reads held; a hold of one lot marks no other."""

from __future__ import annotations

from tests.support.cooperative import recall_chain


def _flags(inspector, code: str) -> str:
    html = inspector.get("/app/inspect/lots", query_string={"code": code},
                         headers={"Accept-Language": "en"}).get_data(as_text=True)
    item = html.split(f"<strong>{code}</strong>")[1].split("</li>")[0]
    return item


def test_the_search_reads_a_lot_held_until_its_hold_is_released(client, actions, console):
    a, _b, _c = recall_chain(client, actions)
    authority = actions.org("Sở Khoa học và Công nghệ tỉnh Đắk Lắk", "authority")
    inspector = console.signed_in(console.user("inspector", authority))
    assert "on hold" not in _flags(inspector, "H1")
    page = f"/app/inspect/lots/{a.berries}/H1/act"
    assert console.post(inspector, page + "/hold", {"hold_reason": "Aflatoxin above the limit"},
                        csrf_from=page).status_code == 303
    assert "on hold" in _flags(inspector, "H1")
    # The hold's event names the lots made from H1 too; only the held lot reads held.
    assert "on hold" not in _flags(inspector, "D1")
    assert console.post(inspector, page + "/release", {"release_reason": "Re-tested: fine"},
                        csrf_from=page).status_code == 303
    assert "on hold" not in _flags(inspector, "H1")  # released: the row stays, not held
