"""A recall tells the shopper who ordered it, its class, what to do and whom to call, in the
page's language; times are in the lot's zone, not UTC."""

from __future__ import annotations

from .conftest import HARVEST, PEPPER

NOTICE = {"reason": "Salmonella found in a retained sample", "recallClass": "II",
          "orderedBy": "Chi cục Quản lý chất lượng Nông lâm thủy sản Quảng Trị",
          "reasonVi": "Phát hiện Salmonella trong mẫu lưu", "reasonEn": "Salmonella found in a "
          "retained sample", "actionVi": "Không sử dụng; mang trả lại nơi mua để được hoàn tiền.",
          "actionEn": "Do not use it; return it to the shop for a refund.",
          "contact": "Hotline 0233 3 861 234"}


def _recall(demo, token, expect=201, **body):
    r = demo.client.post(f"/api/v1/lots/{HARVEST[0]}/{HARVEST[1]}/recall", json=body,
                         headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == expect, r.get_json()
    return r.get_json()


def test_an_inspectors_recall_reads_in_both_languages_with_its_class_and_contact(demo, actions):
    inspector = actions.inspector()
    recall = _recall(demo, inspector, **NOTICE)
    assert recall["notice"]["recallClass"] == "II" and recall["notice"]["byAuthority"] is True
    en = demo.get(PEPPER, "en").get_data(as_text=True)
    assert 'data-testid="recall-banner" data-class="II"' in en
    assert "Class II: may cause temporary or minor illness" in en
    assert "Chi cục Quản lý chất lượng" in en and "(authority)" in en
    assert "return it to the shop for a refund" in en and "Hotline 0233 3 861 234" in en
    assert 'data-tone="danger"' in en and 'data-caution="recalled"' in en
    vi = demo.get(PEPPER, "vi").get_data(as_text=True)
    assert "Phát hiện Salmonella trong mẫu lưu" in vi and "mang trả lại nơi mua" in vi
    assert "Cấp II" in vi
    summary = demo.client.get(PEPPER, headers={"Accept": "application/json"}).get_json()
    [r] = summary["recalls"]
    assert r["recallClass"] == "II" and r["actions"]["en"].startswith("Do not use")
    assert r["since"].endswith("+07:00")  # the lot's zone (Quảng Trị), not UTC
    assert summary["lot"]["timeZone"] == "+07:00"
    assert summary["verdict"]["headline"]["tone"] == "danger"


def test_a_recall_with_a_missing_language_or_a_bad_class_is_refused(demo, actions):
    inspector = actions.inspector()
    half = {k: v for k, v in NOTICE.items() if k != "actionEn"}
    body = _recall(demo, inspector, 400, **half)
    assert body["errors"][0]["path"] == "$.actionEn" and "Vietnamese and English" in body[
        "errors"][0]["message"]
    body = _recall(demo, inspector, 400, **{**NOTICE, "reasonVi": "  "})
    assert body["errors"][0]["path"] == "$.reasonVi"
    body = _recall(demo, inspector, 400, **{**NOTICE, "recallClass": "IV"})
    assert body["errors"][0]["path"] == "$.recallClass"
    body = _recall(demo, inspector, 400, **{**NOTICE, "contact": "x" * 201})
    assert body["errors"][0]["path"] == "$.contact"
    # Nothing was recalled by the refused requests.
    assert "recall-banner" not in demo.get(PEPPER, "en").get_data(as_text=True)


def test_a_bare_recall_still_reads_class_i_with_what_to_do(demo, actions):
    _recall(demo, actions.inspector(), reason="Mould found")
    en = demo.get(PEPPER, "en").get_data(as_text=True)
    assert 'data-class="I"' in en and "Class I: may cause serious illness" in en
    assert "Take it back to the shop where you bought it." in en
    assert "Mould found" in en
