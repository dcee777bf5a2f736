"""A recall's notice: a class from the scale, and each text in both languages or in neither."""

from __future__ import annotations

from tracechain.domain.recall_notice import notice_problems


def test_a_whole_notice_passes_and_so_does_none():
    assert notice_problems({}) == []
    assert notice_problems({"recallClass": "III", "reasonVi": "Nhãn sai", "reasonEn": "Wrong "
                            "label", "actionVi": "Trả lại", "actionEn": "Return it",
                            "contact": "0233 3 861 234", "orderedBy": "HTX Cam Lộ"}) == []


def test_half_a_pair_names_the_missing_language():
    [problem] = notice_problems({"actionVi": "Không ăn"})
    assert problem.path == "$.actionEn" and "Vietnamese and English" in problem.message
    [problem] = notice_problems({"reasonVi": " ", "reasonEn": "Mould"})
    assert problem.path == "$.reasonVi"


def test_a_class_off_the_scale_and_overlong_fields_are_refused():
    paths = [p.path for p in notice_problems({"recallClass": "IV", "contact": "x" * 201,
                                              "orderedBy": "y" * 201,
                                              "actionVi": "a" * 1001, "actionEn": "b"})]
    assert paths == ["$.recallClass", "$.actionVi", "$.contact", "$.orderedBy"]
