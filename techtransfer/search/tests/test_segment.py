from techtransfer.search.segment import query_terms, segment, stem


class TestSegment:
    def test_it_cuts_chinese_into_words_and_their_parts(self) -> None:
        terms = segment("基于深度学习的肺结节CT影像辅助诊断系统")
        assert {"深度", "学习", "结节", "影像", "诊断", "系统", "诊断系统"} <= set(terms)

    def test_it_lowercases_english_and_splits_mixed_text(self) -> None:
        assert sorted(segment("ＣＴ影像与5G通信")) == sorted(["ct", "影像", "5g", "通信"])

    def test_it_drops_punctuation_and_stop_words(self) -> None:
        terms = segment("一种锂离子电池的制备方法，及其应用。The use of a cathode!")
        assert not {"的", "一种", "及其", "，", "。", "the", "of", "a", "!"} & set(terms)
        assert {"锂离子", "电池", "制备", "方法", "应用", stem("cathode")} <= set(terms)

    def test_plurals_and_inflections_meet_the_same_stem(self) -> None:
        assert stem("nodules") == stem("nodule")
        assert stem("images") == stem("imaging") == stem("image")
        assert stem("detected") == stem("detecting") == stem("detect")
        assert stem("studies") == stem("study")
        assert stem("processes") == stem("process")
        assert stem("running") == "run" and stem("installed") == "install"

    def test_it_leaves_words_that_only_look_inflected(self) -> None:
        assert stem("diagnosis") == "diagnosis"
        assert stem("virus") == "virus"
        assert stem("glass") == "glass"
        assert stem("string") == "string"

    def test_query_terms_are_distinct_and_keep_their_order(self) -> None:
        assert query_terms("肺结节 检测 肺结节") == ["肺", "结节", "检测"]

    def test_a_query_of_stop_words_has_no_terms(self) -> None:
        assert query_terms("的 了 the of ，") == []
