from __future__ import annotations

import threading

import numpy as np
import pytest
from skimage import data

from localize.common.errors import MediaError
from localize.faces.tracker import CascadeConfig, LBPCascadeDetector, expand_box
from localize.media.encode import write_video
from localize.media.images import read_image, read_mask, write_png
from localize.media.reader import iter_media_frames, media_info
from localize.media.video import iter_frames, probe_video


def test_png_roundtrip_keeps_rgb_order(tmp_path):
    image = np.zeros((10, 12, 3), np.uint8)
    image[..., 0] = 200  # red
    write_png(tmp_path / "a.png", image)
    assert np.array_equal(read_image(tmp_path / "a.png"), image)


def test_masks_are_written_as_one_bit_pngs_that_read_back_exactly(tmp_path):
    mask = np.random.default_rng(0).random((37, 53)) > 0.5
    write_png(tmp_path / "m.png", mask)
    assert np.array_equal(read_mask(tmp_path / "m.png"), mask)
    assert (tmp_path / "m.png").stat().st_size < mask.size // 8 + 400  # 1 bit per pixel at most, plus headers


@pytest.mark.parametrize(
    ("content", "message"), [(None, "file not found"), (b"not an image", "not a readable image")]
)
def test_unreadable_images_name_the_file(tmp_path, content, message):
    path = tmp_path / "x.png"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(MediaError, match=message) as error:
        read_image(path)
    assert str(path) in str(error.value)


def test_images_above_the_pixel_limit_are_refused(tmp_path):
    write_png(tmp_path / "big.png", np.zeros((100, 100, 3), np.uint8))
    with pytest.raises(MediaError, match="exceeds the limit"):
        read_image(tmp_path / "big.png", max_pixels=5000)


def test_video_roundtrip_and_selected_frames(tmp_path):
    frames = [np.full((48, 64, 3), 10 * i, np.uint8) for i in range(12)]
    assert write_video(tmp_path / "v.mp4", frames, fps=10, crf=18) == 12
    info = probe_video(tmp_path / "v.mp4")
    assert (info.frames, info.width, info.height, info.fps) == (12, 64, 48, 10.0)
    got = dict(iter_frames(tmp_path / "v.mp4", [0, 7, 11]))
    assert sorted(got) == [0, 7, 11]
    assert abs(float(got[7].mean()) - 70) < 3


@pytest.mark.parametrize("suffix", [".mp4", ".mkv"])  # the frame count stored, and counted from packets
def test_a_video_is_probed_in_one_opening(tmp_path, monkeypatch, suffix):
    import av

    path = tmp_path / f"v{suffix}"
    with av.open(str(path), "w") as container:  # MP4 stores the frame count, Matroska does not
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.set_display_rotation(-90)  # read from the first frame in the same opening
        for i in range(9):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(np.full((48, 64, 3), 10 * i, np.uint8))))
        container.mux(stream.encode())
    opened = []
    real_open = av.open
    monkeypatch.setattr(av, "open", lambda *args, **kwargs: opened.append(args) or real_open(*args, **kwargs))
    info = probe_video(path)
    assert (info.frames, info.width, info.height) == (9, 48, 64)
    assert len(opened) == 1


def _readers(path):
    return [t for t in threading.enumerate() if t.name == f"decode {path.name}"]


def test_a_frame_reader_closed_early_stops_its_decoding_thread(tmp_path):
    path = tmp_path / "long.mp4"
    write_video(path, [np.full((48, 64, 3), i, np.uint8) for i in range(60)], fps=10)
    frames = iter_frames(path)
    assert next(frames)[0] == 0
    assert _readers(path)  # decoding ahead in the background
    frames.close()
    assert not _readers(path)


def test_damage_part_way_ends_the_video_and_damage_at_the_start_reaches_the_caller(tmp_path, caplog):
    """Frames before the damage are delivered and a warning says where decoding stopped; damage before
    any frame is a MediaError naming the file, raised in the caller's thread; no reader is left behind."""
    path = tmp_path / "cut.mp4"
    write_video(path, [np.random.default_rng(i).integers(0, 255, (64, 64, 3), np.uint8) for i in range(30)])
    whole = path.read_bytes()
    data = bytearray(whole)
    third = len(data) // 3
    data[third : 2 * third] = np.random.default_rng(0).integers(0, 255, third, np.uint8).tobytes()
    path.write_bytes(bytes(data))
    decoded = [index for index, _ in iter_frames(path)]
    assert decoded == list(range(len(decoded))) and 0 < len(decoded) < 30  # the frames before the damage
    assert f"{path}: decoding stopped after frame {decoded[-1]}" in caplog.text
    assert not _readers(path)
    data = bytearray(whole)
    data[64:third] = bytes(third - 64)  # the first frames' data (the index is at the end)
    path.write_bytes(bytes(data))
    with pytest.raises(MediaError, match="cut.mp4: decoding failed"):
        list(iter_frames(path))
    assert not _readers(path)


@pytest.mark.parametrize("content", [b"hello, I am text", b""])
def test_text_or_empty_file_named_mp4_is_a_media_error(tmp_path, content):
    (tmp_path / "v.mp4").write_bytes(content)
    with pytest.raises(MediaError, match="v.mp4"):
        probe_video(tmp_path / "v.mp4")


def test_odd_frame_size_cannot_be_encoded_and_leaves_no_file(tmp_path):
    with pytest.raises(MediaError, match="even"):
        write_video(tmp_path / "odd.mp4", [np.zeros((11, 16, 3), np.uint8)])
    assert list(tmp_path.iterdir()) == []


def test_images_are_one_frame_media(tmp_path):
    write_png(tmp_path / "a.png", np.zeros((6, 8, 3), np.uint8))
    assert media_info(tmp_path / "a.png").frames == 1
    assert [i for i, _ in iter_media_frames(tmp_path / "a.png")] == [0]
    (tmp_path / "notes.txt").write_text("case notes, not media")
    with pytest.raises(MediaError, match="unsupported file type .txt: neither an image"):
        media_info(tmp_path / "notes.txt")
    with pytest.raises(MediaError, match="file not found"):
        media_info(tmp_path / "missing.dat")


def test_media_with_an_odd_suffix_or_none_is_read_by_content(tmp_path):
    """Files recovered from phones or forensic exports often carry no suffix or an unrelated one."""
    import shutil

    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (32, 48, 3), dtype=np.uint8) for _ in range(5)]
    write_video(tmp_path / "clip.mp4", frames)
    write_png(tmp_path / "photo.png", frames[0])
    _gif(tmp_path / "moving.gif", ("red", "blue", "lime"))
    for name, renamed in (("clip.mp4", "VID_0001"), ("photo.png", "IMG_0001.dat"), ("moving.gif", "anim")):
        shutil.copy(tmp_path / name, tmp_path / renamed)
    info = media_info(tmp_path / "VID_0001")
    assert (info.frames, info.width, info.height) == (5, 48, 32)
    assert [i for i, _ in iter_media_frames(tmp_path / "VID_0001")] == list(range(5))
    assert media_info(tmp_path / "IMG_0001.dat").frames == 1
    assert np.array_equal(dict(iter_media_frames(tmp_path / "IMG_0001.dat"))[0], frames[0])
    assert media_info(tmp_path / "anim").frames == 3  # a GIF is a video, by content as by suffix


def test_a_file_without_a_suffix_is_sniffed_once_until_it_changes(tmp_path, monkeypatch):
    """Probing then reading a video named by no suffix opens it three times (sniff, probe, frames), not
    once more per step; the same name holding other content is sniffed again."""
    import av

    from localize.media.reader import media_kind

    path = tmp_path / "VID_0002"
    write_video(path, [np.full((32, 48, 3), 10 * i, np.uint8) for i in range(4)])
    opened = []
    real_open = av.open
    monkeypatch.setattr(av, "open", lambda *args, **kwargs: opened.append(args) or real_open(*args, **kwargs))
    assert media_info(path).frames == 4 and len(list(iter_media_frames(path))) == 4
    assert len(opened) == 3
    write_png(path, np.zeros((6, 8, 3), np.uint8))  # replaced: another size and change time
    assert media_kind(path) == "image"


@pytest.mark.parametrize("suffix", [".3gp", ".ts", ".m2ts", ".flv", ".wmv"])
def test_phone_camcorder_and_legacy_containers_are_videos(tmp_path, suffix):
    import av

    from localize.media.video import is_video_path

    formats = {".3gp": "3gp", ".ts": "mpegts", ".m2ts": "mpegts", ".flv": "flv", ".wmv": "asf"}
    codecs = {".flv": "flv", ".wmv": "wmv2"}
    path = tmp_path / f"clip{suffix}"
    with av.open(str(path), "w", format=formats[suffix]) as container:
        stream = container.add_stream(codecs.get(suffix, "libx264"), rate=25)
        stream.width, stream.height, stream.pix_fmt = 48, 32, "yuv420p"
        for _ in range(4):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(np.zeros((32, 48, 3), np.uint8), "rgb24")))
        container.mux(stream.encode())
    assert is_video_path(path)  # a folder scan picks it up
    assert media_info(path).frames == 4 and len(list(iter_media_frames(path))) == 4


def test_cascade_finds_the_astronaut_face():
    (x0, y0, x1, y1), *_ = LBPCascadeDetector().detect(data.astronaut())
    assert 150 < (x0 + x1) / 2 < 260 and 60 < (y0 + y1) / 2 < 170


def test_cascade_settings_are_validated():
    with pytest.raises(Exception, match="scale_factor"):
        CascadeConfig(scale_factor=1.0)


@pytest.mark.parametrize("box", [(0, 0, 50, 30), (590, 400, 640, 480), (100, 100, 500, 460)])
def test_expand_box_is_square_and_inside_the_frame(box):
    x0, y0, x1, y1 = expand_box(box, (480, 640, 3), 1.3)
    assert x1 - x0 == y1 - y0
    assert 0 <= x0 < x1 <= 640 and 0 <= y0 < y1 <= 480


def test_atomic_writes_leave_files_with_the_usual_permissions(tmp_path):
    import os

    from localize.common.atomic import write_text_atomic

    write_text_atomic(tmp_path / "a.txt", "x")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o666 & ~mask


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height (no pixel data): what a decompression bomb shows first."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    )


def test_oversized_and_sizeless_images_are_refused_before_decoding(tmp_path):
    import cv2

    from localize.media.images import DEFAULT_MAX_PIXELS, read_image

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_header(12000, 12000))
    with pytest.raises(MediaError, match="12000x12000 exceeds the limit"):
        read_image(bomb)
    assert 12000 * 12000 > DEFAULT_MAX_PIXELS >= 7680 * 4320  # an 8K frame still fits
    hdr = tmp_path / "radiance.hdr"
    cv2.imwrite(str(hdr), np.ones((8, 8, 3), np.float32))
    disguised = tmp_path / "radiance.png"
    disguised.write_bytes(hdr.read_bytes())  # OpenCV would decode it; nothing can tell its size first
    with pytest.raises(MediaError, match="header gives no size"):
        read_image(disguised)


def test_an_animated_image_is_read_as_its_first_frame_and_says_so(tmp_path, caplog):
    import logging

    from PIL import Image

    from localize.media.images import read_image

    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "blue")]
    path = tmp_path / "moving.webp"
    frames[0].save(path, save_all=True, append_images=frames[1:], lossless=True)
    with caplog.at_level(logging.WARNING):
        image = read_image(path)
    assert image[0, 0, 0] > 200 and "only the first frame" in caplog.text


def _left_band(height: int, width: int) -> np.ndarray:
    """Black with a white band down the left quarter: which way up it is shows where the band went."""
    image = np.zeros((height, width, 3), np.uint8)
    image[:, : width // 4] = 255
    return image


def test_a_photo_stored_sideways_is_read_upright_by_its_exif_orientation(tmp_path):
    from PIL import Image

    stored = Image.fromarray(_left_band(100, 200))
    exif = stored.getexif()
    exif[0x0112] = 6  # "turn 90 degrees clockwise to show": a phone portrait stored as landscape
    stored.save(tmp_path / "phone.jpg", exif=exif, quality=95)
    image = read_image(tmp_path / "phone.jpg")
    assert image.shape == (200, 100, 3)
    assert image[:40].mean() > 200 and image[-120:].mean() < 30  # the left band is now the top
    info = media_info(tmp_path / "phone.jpg")  # from the header, without decoding: the size as shown
    assert (info.width, info.height) == (100, 200)
    grey16 = (np.arange(64 * 64).reshape(64, 64) * 16).astype(np.uint16)
    Image.fromarray(grey16).save(tmp_path / "g16.png")  # 16-bit grey and RGBA still read as RGB uint8
    assert np.array_equal(read_image(tmp_path / "g16.png")[..., 1], (grey16 // 257).astype(np.uint8))
    rgba = np.dstack([_left_band(20, 40), np.full((20, 40), 128, np.uint8)])
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    assert np.array_equal(read_image(tmp_path / "rgba.png"), rgba[..., :3])


@pytest.mark.parametrize(("rotation", "band"), [(-90, "top"), (90, "bottom"), (180, "right"), (0, "left")])
def test_a_video_with_a_display_rotation_is_decoded_and_probed_as_players_show_it(tmp_path, rotation, band):
    import av

    path = tmp_path / "phone.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 128, 64, "yuv420p"
        stream.set_display_rotation(rotation)  # -90: phones' portrait video (ffmpeg turns it clockwise)
        for _ in range(3):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(_left_band(64, 128), format="rgb24")))
        container.mux(stream.encode())
    info = probe_video(path)
    frames = dict(iter_frames(path))
    assert len(frames) == 3 == info.frames
    expected = np.zeros((128, 64, 3) if rotation % 180 else (64, 128, 3), np.uint8)
    {"top": expected[:32], "bottom": expected[-32:], "left": expected[:, :32], "right": expected[:, -32:]}[
        band
    ][:] = 255  # the stored 32 px band, where a player shows it
    assert frames[2].shape == (info.height, info.width, 3) == expected.shape
    assert np.abs(frames[2].astype(int) - expected).mean() < 4  # H.264 blurs the band's edge a little


def _gif(path, colours, size=(32, 24)):
    from PIL import Image

    frames = [Image.new("RGB", size, colour) for colour in colours]
    frames[0].save(path, save_all=len(frames) > 1, append_images=frames[1:], duration=80, loop=0)
    return path


def test_a_gif_is_read_as_a_video_of_its_frames(tmp_path):
    animated = _gif(tmp_path / "moving.gif", ("red", "blue", "lime"))
    info = media_info(animated)
    assert (info.frames, info.width, info.height) == (3, 32, 24) and info.fps == pytest.approx(12.5)
    frames = dict(iter_media_frames(animated))
    assert [frames[i][5, 5].tolist() for i in range(3)] == [[255, 0, 0], [0, 0, 255], [0, 255, 0]]
    still = _gif(tmp_path / "still.gif", ("red",))
    assert media_info(still).frames == 1 and dict(iter_media_frames(still))[0][0, 0].tolist() == [255, 0, 0]


def test_video_frames_above_the_pixel_limit_are_refused_before_decoding(tmp_path):
    """A GIF of a few hundred bytes can declare 16000x16000 frames: 1.8 GB each once decoded."""
    import struct

    data = bytearray(_gif(tmp_path / "small.gif", ("red",)).read_bytes())
    data[6:10] = struct.pack("<HH", 16000, 16000)  # the logical screen
    start = data.index(b"\x2c")  # the image descriptor: separator, left, top, width, height
    data[start + 5 : start + 9] = struct.pack("<HH", 16000, 16000)
    bomb = tmp_path / "bomb.gif"
    bomb.write_bytes(bytes(data))
    with pytest.raises(MediaError, match="16000x16000 exceed the limit"):
        media_info(bomb)
    write_video(tmp_path / "v.mp4", [np.zeros((64, 96, 3), np.uint8)] * 2)
    with pytest.raises(MediaError, match="96x64 exceed the limit of 5000 pixels"):
        media_info(tmp_path / "v.mp4", max_pixels=5000)
    assert media_info(tmp_path / "v.mp4", max_pixels=96 * 64).frames == 2


def test_heic_photos_are_read_with_the_extra_and_refused_in_one_line_without(tmp_path, monkeypatch):
    """iPhones store photos as HEIC: read through pillow-heif (forgeloc[heic], in the dev extra), and
    without it one line says which extra to install."""
    pillow_heif = pytest.importorskip("pillow_heif")
    from PIL import Image

    import localize.media.images as images

    pillow_heif.register_heif_opener()
    band = _left_band(60, 80)
    Image.fromarray(band).save(tmp_path / "IMG_0001.HEIC", format="HEIF", quality=95)
    Image.fromarray(band).save(tmp_path / "IMG_0002", format="HEIF", quality=95)  # no suffix: by content
    image = read_image(tmp_path / "IMG_0001.HEIC")
    assert image.shape == (60, 80, 3) and np.abs(image.astype(int) - band).mean() < 4
    assert media_info(tmp_path / "IMG_0002").frames == 1
    assert np.array_equal(dict(iter_media_frames(tmp_path / "IMG_0002"))[0], image)
    info = media_info(tmp_path / "IMG_0001.HEIC")
    assert (info.width, info.height) == (80, 60)

    monkeypatch.setattr(images, "heif_support", lambda: False)
    monkeypatch.setattr(Image, "OPEN", {k: v for k, v in Image.OPEN.items() if k != "HEIF"})
    with pytest.raises(MediaError, match=r"IMG_0001.HEIC: HEIC/HEIF photos need pillow-heif: pip install"):
        read_image(tmp_path / "IMG_0001.HEIC")


@pytest.mark.parametrize("kind", ["baseline.jpg", "progressive.jpg", "photo.png"])
def test_an_image_whose_data_ends_early_is_analysed_as_far_as_it_decodes_with_a_warning(
    tmp_path, caplog, kind
):
    """A photo carved from a damaged card or a download cut short: the rows that decode are read and one
    warning says how many, the missing part's fill colour cut off (its edge would look like a seam)."""
    import logging

    import cv2

    from localize.media.images import read_image

    rng = np.random.default_rng(0)
    photo = cv2.resize(
        rng.integers(0, 256, (30, 40, 3), dtype=np.uint8), (400, 300), interpolation=cv2.INTER_CUBIC
    )
    flags = [cv2.IMWRITE_JPEG_PROGRESSIVE, 1] if kind.startswith("progressive") else []
    whole = tmp_path / kind
    cv2.imwrite(str(whole), photo[..., ::-1], flags)
    expected = read_image(whole)
    cut = tmp_path / f"cut_{kind}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    caplog.set_level(logging.WARNING, logger="localize")
    image = read_image(cut)
    assert f"{cut}: the image data ends early (truncated or damaged)" in caplog.text
    if kind.startswith("progressive"):  # every row, from the scans that arrived
        assert image.shape == expected.shape and "what decodes is analysed" in caplog.text
    else:  # the top rows, as they are in the whole file (the last, partly decoded band aside)
        assert 16 <= image.shape[0] < 300 and f"the top {image.shape[0]} of its 300 rows" in caplog.text
        top = image.shape[0] - 16
        assert np.abs(image[:top].astype(int) - expected[:top]).mean() < 1
    data = whole.read_bytes()
    stub = tmp_path / f"stub_{kind}"  # the headers, no pixel data: nothing decodes
    stub.write_bytes(data[: data.index(b"\xff\xda") if kind.endswith(".jpg") else data.index(b"IDAT")])
    with pytest.raises(MediaError, match=f"stub_{kind}: not a readable image"):
        read_image(stub)


def test_a_cover_picture_stored_ahead_of_the_video_is_passed_over(tmp_path):
    """Downloaded videos may carry a cover image as a one-frame video stream before the real one: the
    video that is probed, decoded and sought is the real one."""
    import av

    path = tmp_path / "with_cover.mkv"
    with av.open(str(path), "w") as container:
        cover = container.add_stream("mjpeg", rate=1)
        cover.width, cover.height, cover.pix_fmt = 64, 64, "yuvj420p"
        video = container.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 96, 64, "yuv420p"
        video.options = {"g": "5"}
        picture = av.VideoFrame.from_ndarray(np.full((64, 64, 3), 200, np.uint8), format="rgb24")
        for packet in [*cover.encode(picture), *cover.encode()]:
            container.mux(packet)
        for number in range(40):
            frame = av.VideoFrame.from_ndarray(np.full((64, 96, 3), number * 6, np.uint8), format="rgb24")
            container.mux(video.encode(frame))
        container.mux(video.encode())
    info = media_info(path)
    assert (info.frames, info.width, info.height, info.fps) == (40, 96, 64, 25.0)
    frames = dict(iter_media_frames(path, [0, 20, 39]))  # sparse: read by seeking
    assert sorted(frames) == [0, 20, 39]
    assert [round(float(frames[i].mean()) / 6) for i in (0, 20, 39)] == [0, 20, 39]


def test_interlaced_video_is_read_deinterlaced_and_says_so(tmp_path, caplog):
    """A frame FFmpeg decodes as interlaced (1080i camcorders, broadcast captures) is rebuilt from its top
    field: its combing would look like a blend seam. Progressive video is read as it is."""
    import logging

    import av

    from localize.media.interlace import deinterlaced
    from localize.media.video import iter_frames

    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (64, 96, 3), dtype=np.uint8)
    paths = {}
    for name, params in (("interlaced", "interlaced=1:tff=1"), ("progressive", "interlaced=0")):
        paths[name] = tmp_path / f"{name}.mp4"
        with av.open(str(paths[name]), "w") as container:
            stream = container.add_stream("libx264", rate=25)
            stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
            stream.options = {"x264-params": params}
            for number in range(6):
                frame = av.VideoFrame.from_ndarray(np.roll(base, number * 4, axis=1), format="rgb24")
                container.mux(stream.encode(frame))
            container.mux(stream.encode())
    caplog.set_level(logging.WARNING, logger="localize")
    progressive = dict(iter_frames(paths["progressive"]))
    assert not caplog.records
    frames = dict(iter_frames(paths["interlaced"]))
    assert caplog.text.count("interlaced video: analysed as its top field") == 1
    with av.open(str(paths["interlaced"])) as container:
        woven = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    for number, frame in frames.items():
        assert np.array_equal(frame, deinterlaced(woven[number]))
        odd = frame[1:-1:2].astype(int)  # each odd line the mean of its neighbours
        assert np.abs(odd - (frame[0:-2:2].astype(int) + frame[2::2].astype(int)) / 2).max() <= 0.5
    with av.open(str(paths["progressive"])) as container:
        assert all(
            np.array_equal(progressive[n], f.to_ndarray(format="rgb24"))
            for n, f in enumerate(container.decode(video=0))
        )
