from __future__ import annotations

import json
from collections import defaultdict

import pytest

from localize.common.errors import DatasetError
from mask_gen.datasets import detect_layout, load_pairs, split_of


def touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize("layout", ["ffpp", "dfdc", "celebdf", "generic"])
def test_layout_is_detected_and_no_source_spans_two_splits(synthetic, layout):
    assert detect_layout(synthetic[layout]) == layout
    splits = defaultdict(set)
    for pair in load_pairs(synthetic[layout]):
        splits[pair.group].add(split_of(pair))
    assert all(len(found) == 1 for found in splits.values())


def test_ffpp_pairs_with_target_official_splits_masks_and_dfd(tmp_path):
    touch(tmp_path / "original_sequences/youtube/c23/videos/000.mp4")
    touch(tmp_path / "manipulated_sequences/Deepfakes/c23/videos/000_003.mp4")
    touch(tmp_path / "manipulated_sequences/Deepfakes/masks/videos/000_003.mp4")
    touch(tmp_path / "manipulated_sequences/Face2Face/c40/videos/003_000.mp4")
    touch(tmp_path / "manipulated_sequences/DeepFakeDetection/c23/videos/01_02__walking__ABC123.mp4")
    (tmp_path / "dataset/splits").mkdir(parents=True)
    (tmp_path / "dataset/splits/test.json").write_text(json.dumps([["000", "003"]]))
    pairs = {pair.key: pair for pair in load_pairs(tmp_path)}
    deepfake = pairs["ffpp/Deepfakes/c23/000_003"]
    assert deepfake.real == tmp_path / "original_sequences/youtube/c23/videos/000.mp4"
    assert deepfake.mask is not None and deepfake.split == "test"
    assert pairs["ffpp/Face2Face/c40/003_000"].real.name == "003.mp4"
    assert pairs["ffpp/Face2Face/c40/003_000"].split == "test"
    dfd = pairs["ffpp/DeepFakeDetection/c23/01_02__walking__ABC123"]
    assert dfd.real == tmp_path / "original_sequences/actors/c23/videos/01__walking.mp4"


def test_dfdc_pairs_fakes_with_originals_and_keeps_unpaired_reals(tmp_path):
    part = tmp_path / "dfdc_train_part_3" / "nested"
    touch(part / "a.mp4")
    touch(part / "b.mp4")
    touch(part / "lonely.mp4")
    meta = {
        "a.mp4": {"label": "REAL", "split": "train", "original": None},
        "b.mp4": {"label": "FAKE", "split": "train", "original": "a.mp4"},
        "lonely.mp4": {"label": "REAL", "split": "train", "original": None},
    }
    (part / "metadata.json").write_text(json.dumps(meta))
    pairs = load_pairs(tmp_path)
    assert [(p.fake and p.fake.name, p.real.name) for p in pairs] == [
        ("b.mp4", "a.mp4"),
        (None, "lonely.mp4"),
    ]
    (part / "metadata.json").write_text("{not json")
    with pytest.raises(DatasetError, match="metadata.json: not valid JSON"):
        load_pairs(tmp_path)


def test_celebdf_test_list_and_youtube_reals(tmp_path):
    touch(tmp_path / "Celeb-real/id0_0001.mp4")
    touch(tmp_path / "Celeb-synthesis/id0_id4_0001.mp4")
    touch(tmp_path / "YouTube-real/00007.mp4")
    (tmp_path / "List_of_testing_videos.txt").write_text(
        "0 Celeb-synthesis/id0_id4_0001.mp4\n1 YouTube-real/00007.mp4\n"
    )
    fake, real_only = load_pairs(tmp_path)
    assert fake.real == tmp_path / "Celeb-real/id0_0001.mp4" and fake.split == "test"
    assert real_only.fake is None and real_only.split == "test"
    (tmp_path / "List_of_testing_videos.txt").write_text("Celeb-synthesis/id0_id4_0001.mp4\n")
    with pytest.raises(DatasetError, match="line 1"):
        load_pairs(tmp_path)


def test_generic_csv_needs_its_columns(tmp_path):
    (tmp_path / "pairs.csv").write_text("fake,original\nx.png,y.png\n")
    with pytest.raises(DatasetError, match="missing column"):
        load_pairs(tmp_path / "pairs.csv")


def test_unknown_folder_is_refused(tmp_path):
    with pytest.raises(DatasetError, match="no known dataset layout"):
        detect_layout(tmp_path)


def test_real_faceforensics_layout(shared):
    pairs = load_pairs(shared / "polimi-ispl__icpr2020dfdc/test/data/ffpp")
    assert {p.method for p in pairs} == {"Deepfakes", "Face2Face", "FaceSwap", "NeuralTextures"}
    missing = [p.key for p in pairs if not p.real.is_file()]
    assert missing == ["ffpp/Face2Face/c23/750_743"]


def test_a_fake_listed_twice_is_refused(tmp_path):
    (tmp_path / "pairs.csv").write_text("fake,real\nx.png,y.png\nx.png,z.png\n")
    with pytest.raises(DatasetError, match="listed twice"):
        load_pairs(tmp_path / "pairs.csv")


@pytest.mark.parametrize("name", ["../outside/x.png", "/etc/passwd", "a/../../x.png", "C:\\x.png"])
def test_paths_in_data_files_stay_in_their_folder(tmp_path, name):
    """A pairs CSV, a DFDC metadata.json or a manifest naming a file outside its folder is refused."""
    import json

    from localize.common.errors import DatasetError
    from mask_gen.datasets import load_pairs
    from mask_gen.writer import read_manifest

    pairs = tmp_path / "pairs"
    pairs.mkdir()
    (pairs / "pairs.csv").write_text(f"fake,real\n{name},real.png\n")
    with pytest.raises(DatasetError, match="row 2"):
        load_pairs(pairs / "pairs.csv")
    dfdc = tmp_path / "dfdc"
    dfdc.mkdir()
    (dfdc / "metadata.json").write_text(json.dumps({"a.mp4": {"label": "FAKE", "original": name}}))
    with pytest.raises(DatasetError, match="metadata.json"):
        load_pairs(dfdc)
    manifest = tmp_path / "ds"
    manifest.mkdir()
    (manifest / "manifest.csv").write_text(f"id,split,label,image,mask,status\na,train,1,{name},m.png,ok\n")
    with pytest.raises(DatasetError, match="line 2"):
        read_manifest(manifest)


def test_malformed_data_files_are_one_line(tmp_path):
    import json

    from localize.common.errors import DatasetError
    from mask_gen.datasets import load_pairs
    from mask_gen.writer import read_manifest

    (tmp_path / "bad.csv").write_bytes(b"fake,real\n\xff\xfe,x\n")
    with pytest.raises(DatasetError, match="UTF-8"):
        load_pairs(tmp_path / "bad.csv")
    dfdc = tmp_path / "dfdc"
    dfdc.mkdir()
    (dfdc / "metadata.json").write_text(json.dumps({"a.mp4": {"label": "FAKE", "original": 5}}))
    with pytest.raises(DatasetError, match="original must be a string"):
        load_pairs(dfdc)
    ds = tmp_path / "ds"
    ds.mkdir()
    (ds / "manifest.csv").write_text("id,split,label,image,mask,status\na,train,x,i.png,m.png,ok\n")
    with pytest.raises(DatasetError, match="label must be 0 or 1"):
        read_manifest(ds)


def test_ffpp_readme_examples_read_with_each_masks_convention(shared, tmp_path):
    """Three conventions (PROVENANCE.md): binary Deepfakes, grey-shaded NeuralTextures (> 0), soft-edged
    DFD (> 127); the pixel shares are the ones measured there."""
    import shutil

    from localize.common.errors import DatasetError
    from mask_gen.datasets.ffpp_examples import read_examples

    folder = shared / "ondyari__FaceForensics" / "images"
    examples = read_examples(folder)
    shares = {e.method: e.mask.mean() for e in examples}
    assert list(shares) == ["Deepfakes", "NeuralTextures", "DFD"]
    assert shares["Deepfakes"] == pytest.approx(0.025, abs=0.002)
    assert shares["NeuralTextures"] == pytest.approx(0.032, abs=0.002)
    assert shares["DFD"] == pytest.approx(0.0032, abs=0.0004)
    assert all(e.mask.dtype == bool and e.real.shape == e.fake.shape for e in examples)
    partial = tmp_path / "images"
    shutil.copytree(folder, partial)
    (partial / "ex_neuraltextures_mask.png").unlink()
    with pytest.raises(DatasetError, match="ex_neuraltextures_mask.png is missing"):
        read_examples(partial)
