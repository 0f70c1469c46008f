from techtransfer.search.highlight import highlight
from techtransfer.search.segment import query_terms


class TestHighlight:
    def test_it_marks_chinese_terms_inside_the_text(self) -> None:
        html = highlight("基于深度学习的肺结节CT影像辅助诊断系统", query_terms("肺结节 智能诊断"))
        assert html == "基于深度学习的<mark>肺结节</mark>CT影像辅助<mark>诊断</mark>系统"

    def test_it_marks_inflected_english_words_whole(self) -> None:
        html = highlight("Detecting pulmonary Nodules; nodular shapes", query_terms("nodule detection detect"))
        assert html == "<mark>Detecting</mark> pulmonary <mark>Nodules</mark>; nodular shapes"

    def test_it_escapes_html_in_the_text_and_in_matches(self) -> None:
        html = highlight("<script>alert(1)</script> 肺结节 & <b>", ["script", "结节"])
        assert "<script>" not in html and "<b>" not in html
        assert (
            html
            == "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; 肺<mark>结节</mark> &amp; &lt;b&gt;"
        )

    def test_a_snippet_starts_shortly_before_the_first_match(self) -> None:
        text = "前" * 200 + "肺结节" + "后" * 200
        html = highlight(text, ["结节"], max_len=40)
        assert html.startswith("…") and html.endswith("…")
        assert "<mark>结节</mark>" in html
        assert len(html.replace("<mark>", "").replace("</mark>", "")) == 40 + 2

    def test_a_snippet_without_a_match_is_the_start_of_the_text(self) -> None:
        html = highlight("abc " * 50, ["zzz"], max_len=20)
        assert html == "abc abc abc abc abc …"

    def test_no_terms_only_escapes(self) -> None:
        assert highlight("a < b", []) == "a &lt; b"
