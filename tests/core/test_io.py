"""Tests for core.audio.io: round trips, header info, blocks, safe atomic writes, dither."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.audio import io
from core.audio.io import AudioReader, AudioWriter, blocks, info, load, save
from core.errors import (
    AudioFormatError,
    FolderNotWritableError,
    InvalidAudioError,
    UnsafeOutputError,
    WriteError,
)
from core.signals import tone, white_noise

LSB16 = 1 / 32768
LSB24 = 1 / 2**23


def _test_signal(sr: int, channels: int, seconds: float = 0.1) -> np.ndarray:
    chans = [
        tone(freq=440 * (c + 1), sr=sr, seconds=seconds, amplitude=0.4)
        + white_noise(sr=sr, seconds=seconds, amplitude=0.05, seed=c)
        for c in range(channels)
    ]
    return np.concatenate(chans)


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


@pytest.mark.parametrize("sr", [8_000, 44_100, 48_000])
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize(
    ("ext", "subtype", "tolerance"),
    [
        (".wav", "PCM_16", 1.01 * LSB16),
        (".wav", "PCM_24", 1.01 * LSB24),
        (".wav", "FLOAT", 0.0),
        (".flac", "PCM_16", 1.01 * LSB16),
        (".flac", "PCM_24", 1.01 * LSB24),
    ],
)
def test_round_trip(
    tmp_path: Path, sr: int, channels: int, ext: str, subtype: str, tolerance: float
) -> None:
    audio = _test_signal(sr, channels)
    path = save(tmp_path / f"x{ext}", audio, sr, subtype=subtype, dither=False)
    assert path == tmp_path / f"x{ext}"
    back, rate = load(path)
    assert rate == sr
    assert back.shape == audio.shape and back.dtype == np.float32
    # Rounding is half a step; writing scales by 2**(bits-1) - 1 and reading divides
    # by 2**(bits-1) (libsndfile's convention), which adds up to |x| of a step more.
    assert np.max(np.abs(back - audio)) <= tolerance
    header = info(path)
    assert (header.samplerate, header.channels, header.frames) == (sr, channels, audio.shape[1])
    assert header.subtype == subtype
    assert header.format == ("FLAC" if ext == ".flac" else "WAV")


def test_dithered_pcm16_round_trip_is_within_two_steps(tmp_path: Path) -> None:
    audio = _test_signal(44_100, 2)
    back, _ = load(save(tmp_path / "d.wav", audio, 44_100, subtype="PCM_16"))
    assert np.max(np.abs(back - audio)) <= 2 * LSB16


def test_info_reads_header_without_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save(tmp_path / "x.flac", _test_signal(48_000, 2, seconds=0.5), 48_000)

    def no_decoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("info() decoded samples")

    monkeypatch.setattr(sf.SoundFile, "read", no_decoding)
    header = info(path)
    assert (header.samplerate, header.channels, header.frames) == (48_000, 2, 24_000)
    assert header.duration == pytest.approx(0.5)
    assert header.to_dict()["duration_s"] == 0.5
    assert header.to_dict()["path"] == str(path)


@pytest.mark.parametrize(("block_frames", "margin"), [(300, 50), (1000, 0), (7, 3), (4000, 10)])
def test_blocks_match_slices_of_the_loaded_file(
    tmp_path: Path, block_frames: int, margin: int
) -> None:
    audio = _test_signal(8_000, 2, seconds=0.125)  # 1000 frames
    path = save(tmp_path / "b.wav", audio, 8_000, subtype="FLOAT")
    full, _ = load(path)
    padded = np.pad(full, ((0, 0), (margin, margin + block_frames)))
    starts = []
    for start, block in blocks(path, block_frames=block_frames, margin=margin):
        n = min(block_frames, full.shape[1] - start)
        assert block.shape == (2, n + 2 * margin)
        assert block.dtype == np.float32
        np.testing.assert_array_equal(block, padded[:, start : start + n + 2 * margin])
        starts.append(start)
    assert starts == list(range(0, 1000, block_frames))


def test_blocks_zero_pad_the_ends(tmp_path: Path) -> None:
    audio = np.full((1, 100), 0.5, dtype=np.float32)
    path = save(tmp_path / "c.wav", audio, 8_000, subtype="FLOAT")
    got = list(blocks(path, block_frames=60, margin=10))
    assert [s for s, _ in got] == [0, 60]
    first, last = got[0][1], got[1][1]
    assert np.all(first[:, :10] == 0) and np.all(first[:, 10:] == 0.5)
    assert last.shape == (1, 60) and np.all(last[:, :50] == 0.5) and np.all(last[:, 50:] == 0)


def test_blocks_reject_bad_arguments(tmp_path: Path) -> None:
    path = save(tmp_path / "c.wav", np.zeros((1, 10), dtype=np.float32), 8_000)
    with pytest.raises(ValueError):
        list(blocks(path, block_frames=0))
    with pytest.raises(ValueError):
        list(blocks(path, block_frames=10, margin=-1))


def test_reader_zero_pads_outside_the_file(tmp_path: Path) -> None:
    audio = _test_signal(8_000, 1)
    path = save(tmp_path / "r.wav", audio, 8_000, subtype="FLOAT")
    with AudioReader(path) as reader:
        part = reader.read(-5, 10)
        assert np.all(part[:, :5] == 0)
        np.testing.assert_array_equal(part[:, 5:], audio[:, :5])
        assert not np.any(reader.read(10_000, 20))


@pytest.mark.parametrize(
    ("suffix", "subtype"),
    [(".wav", "PCM_16"), (".wav", "PCM_24"), (".wav", "PCM_32"), (".flac", "PCM_24")],
)
def test_integer_files_decode_exactly_as_libsndfile_floats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, subtype: str
) -> None:
    """Integer files are read as integers and scaled in numpy (much faster); the result
    must equal libsndfile's own float decoding bit for bit, across chunk boundaries."""
    monkeypatch.setattr(io, "_CHUNK_FRAMES", 1000)  # many chunks, one of them partial
    audio = _test_signal(16_000, 2, seconds=0.5)
    audio[:, :3] = [[1.0, -1.0, 0.999999], [-1.0, 1.0, -0.999999]]  # the extremes
    path = tmp_path / f"x{suffix}"
    sf.write(path, audio.T, 16_000, subtype=subtype)
    reference = sf.read(path, dtype="float32", always_2d=True)[0].T
    loaded, _ = load(path)
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, reference)
    with AudioReader(path) as reader:
        np.testing.assert_array_equal(reader.read(1500, 2200), reference[:, 1500:3700])


def test_load_resamples_and_downmixes(tmp_path: Path) -> None:
    audio = _test_signal(48_000, 2, seconds=0.5)
    path = save(tmp_path / "m.wav", audio, 48_000, subtype="FLOAT")
    mono, rate = load(path, mono=True)
    assert rate == 48_000
    np.testing.assert_allclose(mono, audio.mean(axis=0, keepdims=True), atol=1e-7)
    low, rate = load(path, sr=16_000)
    assert rate == 16_000 and low.shape == (2, 8_000)


def test_save_refuses_protected_input(tmp_path: Path) -> None:
    source = save(tmp_path / "in.wav", _test_signal(44_100, 2), 44_100)
    before = _bytes(source)
    louder = _test_signal(44_100, 2) * 2
    for target in (source, tmp_path / "." / "in.wav", Path(os.path.relpath(source))):
        with pytest.raises(UnsafeOutputError):
            save(target, louder, 44_100, protect=[source])
    link = tmp_path / "link.wav"
    os.link(source, link)
    with pytest.raises(UnsafeOutputError):
        save(link, louder, 44_100, protect=[str(source)])
    assert _bytes(source) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.wav", "link.wav"]


def test_save_to_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "out.wav"
    folder.mkdir()
    with pytest.raises(UnsafeOutputError):
        save(folder, np.zeros((1, 10), dtype=np.float32), 8_000)


@pytest.mark.parametrize("name", ["x.mp3", "x.ogg", "x.xyz", "x"])
def test_unknown_write_extension_raises(tmp_path: Path, name: str) -> None:
    with pytest.raises(AudioFormatError):
        save(tmp_path / name, np.zeros((1, 10), dtype=np.float32), 8_000)
    assert list(tmp_path.iterdir()) == []


def test_invalid_write_settings_raise(tmp_path: Path) -> None:
    audio = np.zeros((1, 10), dtype=np.float32)
    with pytest.raises(AudioFormatError):
        save(tmp_path / "x.flac", audio, 8_000, subtype="FLOAT")
    with pytest.raises(AudioFormatError):
        save(tmp_path / "x.wav", audio, 8_000, subtype="PCM_8")
    with pytest.raises(WriteError, match="does not exist"):
        save(tmp_path / "missing" / "x.wav", audio, 8_000)
    with pytest.raises(InvalidAudioError):
        save(tmp_path / "x.wav", audio, 12)
    with pytest.raises(InvalidAudioError):
        save(tmp_path / "x.wav", np.full((1, 10), np.nan), 8_000)
    assert list(tmp_path.iterdir()) == []


def test_unreadable_inputs_raise_audio_format_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio\n" * 20)
    folder = tmp_path / "folder.wav"
    folder.mkdir()
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    for bad in (tmp_path / "missing.wav", text, folder, empty):
        with pytest.raises(AudioFormatError):
            info(bad)
        with pytest.raises(AudioFormatError):
            load(bad)
        with pytest.raises(AudioFormatError):
            list(blocks(bad, block_frames=10))


def test_load_of_a_file_without_frames_raises(tmp_path: Path) -> None:
    path = tmp_path / "zero.wav"
    sf.write(path, np.zeros((0, 1)), 8_000)
    with pytest.raises(AudioFormatError):
        load(path)


def test_aborted_writer_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "out.wav"
    with pytest.raises(RuntimeError):
        with AudioWriter(target, sr=8_000, channels=1) as writer:
            writer.write(_test_signal(8_000, 1))
            raise RuntimeError("simulated failure mid-way")
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "out.flac"
    with pytest.raises(AudioFormatError):
        with AudioWriter(target, sr=8_000, channels=2) as writer:
            writer.write(_test_signal(8_000, 2))
            writer.write(_test_signal(8_000, 1))  # wrong channel count
    assert list(tmp_path.iterdir()) == []


def test_existing_destination_is_replaced_only_on_success(tmp_path: Path) -> None:
    target = save(tmp_path / "out.wav", _test_signal(8_000, 1), 8_000)
    original = _bytes(target)
    with pytest.raises(KeyboardInterrupt):
        with AudioWriter(target, sr=8_000, channels=1, overwrite=True) as writer:
            writer.write(np.zeros((1, 100), dtype=np.float32))
            raise KeyboardInterrupt
    assert _bytes(target) == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wav"]

    replacement = _test_signal(8_000, 1) * 0.5
    with AudioWriter(target, sr=8_000, channels=1, subtype="FLOAT", overwrite=True) as writer:
        writer.write(replacement[:, :300])
        writer.write(replacement[:, 300:])
        assert _bytes(target) == original  # not visible until committed
    back, _ = load(target)
    np.testing.assert_array_equal(back, replacement)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wav"]


def test_explicit_abort_and_commit(tmp_path: Path) -> None:
    writer = AudioWriter(tmp_path / "a.wav", sr=8_000, channels=1)
    writer.write(np.zeros((1, 10), dtype=np.float32))
    writer.abort()
    assert list(tmp_path.iterdir()) == []
    writer = AudioWriter(tmp_path / "b.wav", sr=8_000, channels=1, frames_hint=10)
    writer.write(np.zeros((1, 10), dtype=np.float32))
    assert writer.commit() == tmp_path / "b.wav"
    assert info(tmp_path / "b.wav").frames == 10


def test_wav_header_is_plain_riff_when_length_is_known(tmp_path: Path) -> None:
    audio = _test_signal(8_000, 1)
    assert info(save(tmp_path / "s.wav", audio, 8_000)).format == "WAV"
    # Streaming without a length hint uses RF64, which still reads back.
    with AudioWriter(tmp_path / "r.wav", sr=8_000, channels=1) as writer:
        writer.write(audio)
    assert info(tmp_path / "r.wav").format == "RF64"
    back, _ = load(tmp_path / "r.wav")
    assert back.shape == audio.shape


def test_pcm16_dither_keeps_a_tiny_signal_alive(tmp_path: Path) -> None:
    # About -100 dBFS: a third of one 16-bit step, so plain rounding gives silence.
    tiny = tone(freq=1000, sr=48_000, seconds=0.5, amplitude=1e-5)
    plain_a, _ = load(save(tmp_path / "a.wav", tiny, 48_000, subtype="PCM_16", dither=False))
    plain_b, _ = load(save(tmp_path / "b.wav", tiny, 48_000, subtype="PCM_16", dither=False))
    assert not np.any(plain_a)
    np.testing.assert_array_equal(plain_a, plain_b)

    dithered, _ = load(save(tmp_path / "c.wav", tiny, 48_000, subtype="PCM_16", dither=True))
    assert np.count_nonzero(dithered) > 0.3 * dithered.size
    error_lsb = (dithered - tiny) / LSB16
    # TPDF (+-1 step) plus rounding: std sqrt(1/6 + 1/12) = 0.5 step.
    assert 0.3 < float(np.std(error_lsb)) < 1.0
    assert float(np.max(np.abs(error_lsb))) <= 2.0
    # The signal survives on average: correlation with the tone is clearly positive.
    assert float(np.corrcoef(dithered[0], tiny[0])[0, 1]) > 0.2


def test_pcm24_is_never_dithered(tmp_path: Path) -> None:
    tiny = tone(freq=1000, sr=48_000, seconds=0.1, amplitude=1e-8)  # below one 24-bit step
    back, _ = load(save(tmp_path / "a.wav", tiny, 48_000, subtype="PCM_24", dither=True))
    assert not np.any(back)


def test_ogg_vorbis_read(tmp_path: Path) -> None:
    sr = 44_100
    audio = _test_signal(sr, 2, seconds=1.0)
    path = tmp_path / "x.ogg"
    sf.write(path, audio.T, sr, format="OGG", subtype="VORBIS")
    header = info(path)
    assert (header.samplerate, header.channels, header.format) == (sr, 2, "OGG")
    back, rate = load(path)
    assert rate == sr and back.shape == audio.shape and back.dtype == np.float32
    for c in range(2):
        assert float(np.corrcoef(back[c], audio[c])[0, 1]) > 0.99


def test_mp3_read(tmp_path: Path) -> None:
    sr = 44_100
    audio = tone(freq=1000, sr=sr, seconds=1.0, amplitude=0.5)
    path = tmp_path / "x.mp3"
    sf.write(path, audio.T, sr, format="MP3", subtype="MPEG_LAYER_III")
    back, rate = load(path)
    assert rate == sr and back.shape[0] == 1
    assert abs(back.shape[1] - sr) < 0.1 * sr
    # Lossy with an encoder delay: compare levels rather than samples.
    rms = float(np.sqrt(np.mean(np.square(back[:, sr // 10 : -sr // 10]))))
    assert rms == pytest.approx(0.5 / np.sqrt(2), rel=0.05)


def test_check_output_path_accepts_upper_case_extension(tmp_path: Path) -> None:
    assert io.check_output_path(tmp_path / "X.WAV") == tmp_path / "X.WAV"


@pytest.mark.parametrize("overwrite", [False, True])
def test_failed_commit_leaves_no_part_file(tmp_path, monkeypatch, overwrite):
    import core.output

    def locked(src, dst):
        raise PermissionError(errno.EACCES, "file is in use")

    monkeypatch.setattr(core.output.os, "replace", locked)
    monkeypatch.setattr(core.output, "_rename_noreplace", locked)
    with pytest.raises(FolderNotWritableError, match="no permission to write in"):
        io.save(tmp_path / "out.wav", np.zeros((1, 100), np.float32), 8000, overwrite=overwrite)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg"])
def test_parallel_load_equals_serial_and_reports_every_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setattr(io, "_CHUNK_FRAMES", 2048)
    audio = _test_signal(16_000, 2, seconds=1.3)  # 20800 frames: 10 full chunks + a tail
    path = save(tmp_path / f"p{suffix}", audio, 16_000) if suffix != ".ogg" else tmp_path / "p.ogg"
    if suffix == ".ogg":
        sf.write(path, audio.T, 16_000, format="OGG", subtype="VORBIS")
    serial, _ = load(path)
    seen: list[tuple[int, int]] = []
    fractions: list[float] = []
    parallel, _ = load(
        path,
        threads=3,
        on_chunk=lambda first, chunk: seen.append((first, chunk.shape[1])),
        progress=lambda fraction, message="": fractions.append(fraction),
    )
    np.testing.assert_array_equal(parallel, serial)
    assert sorted(seen)[0][0] == 0 and all(first % 2048 == 0 for first, _ in seen)
    assert sum(n for _, n in seen) == serial.shape[1]
    assert fractions[-1] == pytest.approx(1.0)


def test_load_can_be_cancelled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.errors import Cancelled
    from core.progress import CancelToken

    monkeypatch.setattr(io, "_CHUNK_FRAMES", 1024)
    path = save(tmp_path / "c.wav", _test_signal(16_000, 1, seconds=1.0), 16_000)
    token = CancelToken()
    with pytest.raises(Cancelled):
        load(path, threads=2, cancel=token, on_chunk=lambda first, chunk: token.cancel())


def test_a_file_shorter_than_its_header_loads_with_zeros(tmp_path: Path) -> None:
    path = save(tmp_path / "t.wav", _test_signal(16_000, 1, seconds=0.5), 16_000, subtype="PCM_16")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 2000])  # 1000 frames gone, header unchanged
    audio, _ = load(path)
    assert audio.shape[1] >= 7000 and np.all(np.isfinite(audio))
    assert np.all(audio[:, 7000:] == 0.0)


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24"])
def test_a_long_block_is_written_in_pieces_as_in_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, subtype: str
) -> None:
    """The writer quantizes a long block a piece at a time (bounded float64 copies): the
    samples are those of quantizing it whole, the dithered noise included."""
    rng = np.random.default_rng(5)
    x = np.clip(0.4 * rng.standard_normal((2, 5000)), -1.2, 1.2).astype(np.float32)
    paths = []
    for pieces in (1 << 20, 7):
        monkeypatch.setattr(io, "WRITE_BLOCK_FRAMES", pieces)
        path = tmp_path / f"{pieces}.wav"
        with AudioWriter(path, sr=48_000, channels=2, subtype=subtype, dither=True) as w:
            w.write(x[:, :3000])
            w.write(x[:, 3000:])
        paths.append(path)
    whole, pieces_ = (sf.read(p, dtype="int32")[0] for p in paths)
    np.testing.assert_array_equal(whole, pieces_)
    assert np.any(whole)
