import numpy as np
import pytest

from techtransfer.matching.embeddings import HashEmbedder, get_embedder
from techtransfer.matching.vectors import VectorIndex


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


class TestVectorIndex:
    def test_it_returns_the_k_nearest_by_cosine_best_first(self) -> None:
        index = VectorIndex(dim=2)
        index.add(["east", "north", "north-east"], np.stack([unit(1, 0), unit(0, 1), unit(1, 1)]))
        hits = index.search(unit(1, 0.1), k=2)
        assert [id_ for id_, _ in hits] == ["east", "north-east"]
        assert hits[0][1] == pytest.approx(float(unit(1, 0.1) @ unit(1, 0)))

    def test_adding_a_known_id_replaces_its_vector(self) -> None:
        index = VectorIndex(dim=2)
        index.add(["a"], np.stack([unit(1, 0)]))
        index.add(["a"], np.stack([unit(0, 1)]))
        assert len(index) == 1
        assert index.search(unit(0, 1), k=5) == [("a", pytest.approx(1.0))]

    def test_it_survives_a_save_and_load(self, tmp_path) -> None:
        index = VectorIndex(dim=2)
        index.add(["甲", "b"], np.stack([unit(1, 0), unit(0, 1)]))
        index.save(tmp_path / "vectors.npz")
        loaded = VectorIndex.load(tmp_path / "vectors.npz")
        assert loaded.ids == ["甲", "b"]
        assert loaded.matrix.dtype == np.float32
        assert [id_ for id_, _ in loaded.search(unit(1, 0), k=1)] == ["甲"]

    def test_it_refuses_vectors_of_the_wrong_dimension(self) -> None:
        with pytest.raises(ValueError, match="dimension 3"):
            VectorIndex(dim=3).add(["a"], np.zeros((1, 2), dtype=np.float32))


class TestHashEmbedder:
    def test_it_gives_unit_float32_rows_that_are_the_same_in_every_process(self) -> None:
        vectors = HashEmbedder().embed(["石墨烯复合材料", "graphene composite", ""])
        assert vectors.dtype == np.float32
        assert np.linalg.norm(vectors[:2], axis=1) == pytest.approx([1.0, 1.0])
        assert not vectors[2].any()
        assert np.array_equal(HashEmbedder().embed(["石墨烯复合材料"])[0], vectors[0])

    def test_texts_sharing_terms_are_nearer_than_unrelated_ones(self) -> None:
        a, b, c = HashEmbedder().embed(["石墨烯 复合材料 制备", "石墨烯 复合材料", "中药 肝病 治疗"])
        assert a @ b > a @ c

    def test_an_unknown_embedder_name_is_refused_by_name(self) -> None:
        with pytest.raises(ValueError, match="Unknown embedder 'bert'; choose one of fuse, e5, hash"):
            get_embedder("bert")
