"""Playback: mixing logic without a device, and a real PortAudio stream through JACK.

The stream tests start a JACK server with the dummy backend (no sound card needed;
``apt-get install jackd2 libportaudio2``) under a unique server name, then
(re)initialise PortAudio so it lists the JACK device. If jackd cannot start the
tests fail with the reason: they are not skipped.
"""

from __future__ import annotations

import importlib.abc
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from app.playback import PlaybackError, Player
from core.audio.resample import resample

JACK_RATE = 48000
JACK_PERIOD = 512
JACK_HOSTAPI = "JACK Audio Connection Kit"
PERIOD = 4096  # the test signals encode the sample index modulo this


def counter(n: int, *, negative: bool = False) -> np.ndarray:
    """Mono float32 ``(1, n)`` whose sample ``i`` encodes ``i % PERIOD`` exactly."""
    values = (np.arange(n) % PERIOD).astype(np.float32) / (2 * PERIOD)  # 0 .. 0.5
    return (-values - 0.25 if negative else values + 0.25)[np.newaxis, :]


def decode(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per sample: which source (+1 original, -1 restored) and the encoded index."""
    v = block[:, 0].astype(np.float64)
    sign = np.sign(v)
    index = np.rint((np.abs(v) - 0.25) * 2 * PERIOD).astype(np.int64)
    return sign, index


def render_all(player: Player, frames: int, block: int = 512, channels: int = 2) -> np.ndarray:
    out = []
    for _ in range(0, frames, block):
        buf = np.empty((block, channels), np.float32)
        player.render(buf)
        out.append(buf)
    return np.concatenate(out)[:frames]


# --- without a device ------------------------------------------------------------------------


def test_render_plays_the_selected_source_and_switches_at_the_current_sample() -> None:
    player = Player(crossfade_ms=0)
    a, b = counter(10_000), counter(10_000, negative=True)
    player.set_sources({"original": a, "restored": b}, 48000)
    player.matched_loudness = False
    player._playing = True  # no stream: drive the callback logic directly
    first = render_all(player, 1024)
    assert player.position == 1024
    player.select("restored")
    assert player.last_switch == 1024
    second = render_all(player, 1024)
    sign1, idx1 = decode(first)
    sign2, idx2 = decode(second)
    assert np.all(sign1 == 1) and np.all(sign2 == -1)
    assert np.array_equal(np.concatenate([idx1, idx2]), np.arange(2048) % PERIOD)
    assert np.array_equal(first[:, 0], first[:, 1])  # mono on both channels


def test_crossfade_is_short_and_starts_at_the_switch() -> None:
    player = Player(crossfade_ms=1.0)  # 48 samples at 48 kHz
    a, b = counter(4096), counter(4096, negative=True)
    player.set_sources({"original": a, "restored": b}, 48000)
    player.matched_loudness = False
    player._playing = True
    render_all(player, 512)
    player.select("restored")
    out = render_all(player, 512)[:, 0]
    expected_a, expected_b = a[0, 512:1024], b[0, 512:1024]
    w = (np.arange(48) + 1) / 49
    np.testing.assert_allclose(out[:48], expected_a[:48] * (1 - w) + expected_b[:48] * w, atol=1e-6)
    np.testing.assert_array_equal(out[48:], expected_b[48:])


def test_loop_wraps_and_stop_rewinds_to_the_loop_start() -> None:
    player = Player()
    player.set_sources({"original": counter(5000)}, 48000)
    player.set_loop(1000, 1300)
    player._playing = True
    out = render_all(player, 900, block=256)
    _, idx = decode(out)
    expected = 1000 + np.arange(900) % 300
    assert np.array_equal(idx, expected)
    player.stop()
    assert player.position == 1000
    player.set_loop(None, None)
    assert player.loop is None
    player.seek(4990)
    player._playing = True
    buf = np.ones((32, 2), np.float32)
    assert player.render(buf) is False  # the end: rest is silence, playing stops
    assert not player.playing
    assert np.all(buf[10:] == 0)
    with pytest.raises(ValueError):
        player.set_loop(10, 10)


def test_matched_loudness_gives_restored_the_originals_loudness_and_leaves_residual() -> None:
    rng = np.random.default_rng(0)
    original = (0.1 * rng.standard_normal((2, 48000 * 2))).astype(np.float32)
    restored = original * 0.5  # 6 dB quieter
    residual = original - restored
    player = Player()
    player.set_sources({"original": original, "restored": restored, "residual": residual}, 48000)
    gains = player.gains
    assert gains["original"] == 1.0
    assert gains["restored"] == pytest.approx(2.0, rel=1e-3)
    assert gains["residual"] == 1.0  # natural level, documented
    player.select("restored")
    player._playing = True
    out = render_all(player, 4096)
    np.testing.assert_allclose(out.T, original[:, :4096], atol=1e-6)
    player.matched_loudness = False
    assert player.gains["restored"] == 1.0


def test_gain_is_limited_and_channels_are_downmixed() -> None:
    quiet = np.full((4, 48000), 0.001, np.float32)
    loud = np.full((4, 48000), 0.5, np.float32)
    player = Player()
    player.set_sources({"original": loud, "restored": quiet}, 48000)
    assert player.gains["restored"] == pytest.approx(10 ** (12 / 20))  # +12 dB at most
    # Without a stream the output is stereo: four channels are downmixed to two.
    player._playing = True
    out = render_all(player, 512)
    assert out.shape == (512, 2)
    np.testing.assert_allclose(out, 0.5)


def test_set_sources_keeps_the_position_and_checks_shapes() -> None:
    player = Player()
    player.set_sources({"original": counter(10_000)}, 48000)
    player.seek(7000)
    player.set_sources({"original": counter(9000), "restored": counter(9000)}, 48000)
    assert player.position == 7000
    player.set_sources({"original": counter(5000)}, 48000)
    assert player.position == 0
    with pytest.raises(ValueError):
        player.set_sources({"original": counter(10), "restored": counter(11)}, 48000)
    with pytest.raises(ValueError):
        player.set_sources({"remix": counter(10)}, 48000)
    with pytest.raises(ValueError):
        player.select("restored")  # not given any more


def test_availability_without_output_devices_gives_a_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sd = pytest.importorskip("sounddevice")  # the wheel is a dependency; PortAudio too
    fake = [
        {"name": "mic", "hostapi": 0, "max_input_channels": 2, "max_output_channels": 0},
    ]
    monkeypatch.setattr(sd, "query_devices", lambda *a, **k: fake)
    ok, reason = Player.availability()
    assert not ok
    assert reason == "No audio output device was found; playback is off."
    assert Player.output_devices() == []
    player = Player()
    player.set_sources({"original": counter(100)}, 48000)
    with pytest.raises(PlaybackError, match="No audio output device"):
        player.play()
    assert not player.playing


def test_availability_when_portaudio_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoPortAudio(importlib.abc.MetaPathFinder):
        def find_spec(self, name: str, path: object, target: object = None) -> None:
            if name == "sounddevice":
                raise OSError("PortAudio library not found")  # what the real import raises
            return None

    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [NoPortAudio(), *sys.meta_path])
    ok, reason = Player.availability()
    assert not ok
    assert "PortAudio library missing (install libportaudio2)" in reason
    assert Player.output_devices() == []


# --- through a real PortAudio stream (JACK, dummy backend) -------------------------------------


@pytest.fixture(scope="module")
def jack_device() -> Iterator[int]:
    """Start ``jackd -d dummy`` and return the PortAudio index of its output device."""
    jackd = shutil.which("jackd")
    if jackd is None:
        pytest.fail(
            "jackd is not installed; the playback stream test needs it: "
            "apt-get install -y jackd2 libportaudio2 (scripts/bootstrap.sh dev does this)"
        )
    server = f"seminario-test-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    saved = {k: os.environ.get(k) for k in ("JACK_DEFAULT_SERVER", "JACK_NO_START_SERVER")}
    os.environ["JACK_DEFAULT_SERVER"] = server  # libjack clients (PortAudio) connect here
    os.environ["JACK_NO_START_SERVER"] = "1"  # never auto-start another server
    command = [
        jackd, "-n", server, "--no-realtime",
        "-d", "dummy", "-r", str(JACK_RATE), "-p", str(JACK_PERIOD),
    ]  # fmt: skip
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(proc.stdout or []), daemon=True)
    reader.start()
    sd = None
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                reader.join(2)
                pytest.fail(f"jackd exited with {proc.returncode}:\n{''.join(log)}")
            up = subprocess.run(
                ["jack_wait", "-c", "-s", server], capture_output=True, text=True, check=False
            )
            if "running" in up.stdout and "not running" not in up.stdout:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"jackd did not come up within 20 s:\n{''.join(log)}")
            time.sleep(0.2)
        # PortAudio lists devices when it initialises: do it now that JACK runs.
        import sounddevice as sd

        sd._terminate()
        sd._initialize()
        indices = [
            i
            for i, d in enumerate(sd.query_devices())
            if d["max_output_channels"] > 0
            and sd.query_hostapis(d["hostapi"])["name"] == JACK_HOSTAPI
        ]
        if not indices:
            pytest.fail(
                f"PortAudio lists no {JACK_HOSTAPI} output device; devices:\n"
                f"{sd.query_devices()}\njackd log:\n{''.join(log)}"
            )
        yield indices[0]
    finally:
        if sd is not None:
            sd._terminate()  # disconnect from JACK before the server goes
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if sd is not None:
            sd._initialize()  # back to the machine's own devices


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for playback")
        time.sleep(0.005)


def test_availability_and_devices_with_jack(jack_device: int) -> None:
    ok, reason = Player.availability()
    assert ok, reason
    assert any(
        index == jack_device and JACK_HOSTAPI in name for index, name in Player.output_devices()
    )


def test_switch_through_a_real_stream_happens_at_the_sample_and_leaves_no_gap(
    jack_device: int,
) -> None:
    blocks: list[tuple[int, np.ndarray]] = []
    player = Player(device=jack_device, blocksize=512, tap=lambda s, b: blocks.append((s, b)))
    n = JACK_RATE * 3
    player.set_sources({"original": counter(n), "restored": counter(n, negative=True)}, JACK_RATE)
    player.matched_loudness = False
    try:
        player.play()
        assert player.stream_samplerate == JACK_RATE
        wait_until(lambda: player.position > JACK_RATE // 4)
        assert player.playing
        before = player.position
        player.select("restored")
        after = player.position
        switch = player.last_switch
        assert switch is not None and before <= switch <= after
        wait_until(lambda: player.position > switch + JACK_RATE // 4)
        player.pause()
        paused_at = player.position
        time.sleep(0.1)
        assert player.position == paused_at  # pause holds the position
    finally:
        player.close()

    starts = [s for s, _ in blocks]
    sizes = [len(b) for _, b in blocks]
    assert starts[0] == 0
    assert all(b - a == size for a, b, size in zip(starts, starts[1:], sizes, strict=False))
    audio = np.concatenate([b for _, b in blocks])
    assert audio.shape[1] == 2 and np.array_equal(audio[:, 0], audio[:, 1])
    sign, index = decode(audio)
    fade = int(round(player.crossfade_ms * JACK_RATE / 1000))
    # Every sample delivered, none skipped or repeated, in order.
    assert np.array_equal(index[:switch], np.arange(switch) % PERIOD)
    after_fade = slice(switch + fade, len(audio))
    assert np.array_equal(index[after_fade], np.arange(len(audio))[after_fade] % PERIOD)
    # Source A up to the switch sample, source B from the end of the crossfade on.
    assert np.all(sign[:switch] == 1)
    assert np.all(sign[after_fade] == -1)
    n_b = np.arange(switch, switch + fade)
    w = (np.arange(fade) + 1) / (fade + 1)
    a_vals = counter(n)[0, n_b]
    b_vals = counter(n, negative=True)[0, n_b]
    np.testing.assert_allclose(
        audio[switch : switch + fade, 0], a_vals * (1 - w) + b_vals * w, atol=1e-6
    )


def test_a_rate_the_device_refuses_is_resampled(jack_device: int) -> None:
    """JACK runs at 48 kHz only: 44.1 kHz sources are resampled, positions stay in 44.1 kHz."""
    rng = np.random.default_rng(1)
    source = (0.1 * rng.standard_normal((1, 44100))).astype(np.float32)
    blocks: list[tuple[int, np.ndarray]] = []
    player = Player(device=jack_device, tap=lambda s, b: blocks.append((s, b)))
    player.set_sources({"original": source}, 44100)
    try:
        player.play()
        assert player.stream_samplerate == JACK_RATE
        wait_until(lambda: player.position > 4410)
        assert 0 < player.position <= 44100
        wait_until(lambda: not player.playing, timeout=10)  # plays to the end and stops
        assert player.position == 44100  # in the sources' rate
        # The last block reaches the tap just after playing turns False (outside the lock).
        wait_until(lambda: sum(b.shape[0] for _, b in blocks) >= JACK_RATE, timeout=2)
        played = np.concatenate([b for _, b in blocks])
        assert np.count_nonzero(played[:, 0]) >= JACK_RATE - 10  # one second at 48 kHz
        expected = resample(source, orig_sr=44100, target_sr=JACK_RATE)[0]
        np.testing.assert_allclose(played[:JACK_RATE, 0], expected, atol=1e-6)
        player.play()  # from the end: starts again at 0
        wait_until(lambda: 0 < player.position < 44100)
        assert player.playing
    finally:
        player.close()
