"""The description of a restoration chain: its steps, JSON form and the shipped presets.

Below both the pipeline (which runs a chain) and the assistant (which proposes one).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from core.errors import ChainFileError, ConfigError
from core.steps import step_type

CHAIN_VERSION = 1
MAX_CHAIN_STEPS = 64
MAX_CHAIN_BYTES = 1 << 20


@dataclass
class StepSpec:
    """One step of a chain: its type, its parameters, and whether it is bypassed."""

    type: str
    params: dict[str, Any] = field(default_factory=dict)
    bypass: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "params": dict(self.params), "bypass": self.bypass}


@dataclass
class ChainConfig:
    """A restoration chain; ``to_dict``/``from_dict`` round-trip through JSON."""

    steps: list[StepSpec]
    name: str = "custom"
    description: str = ""
    version: int = CHAIN_VERSION
    adaptive: bool = False
    """When true, the repair assistant replaces ``steps`` per input (the ``auto`` preset);
    ``steps`` then only name the model to use."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": self.version,
            "name": self.name,
            "description": self.description,
            "steps": [s.to_dict() for s in self.steps],
        }
        if self.adaptive:
            data["adaptive"] = True
        return data

    @classmethod
    def from_dict(cls, data: Any) -> ChainConfig:
        if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
            raise ConfigError('a chain must be a JSON object with a list of "steps"')
        if data.get("version", CHAIN_VERSION) != CHAIN_VERSION:
            raise ConfigError(f"chain version {data.get('version')!r} is not supported")
        if len(data["steps"]) > MAX_CHAIN_STEPS:
            raise ChainFileError(
                f"the chain has {len(data['steps'])} steps; at most {MAX_CHAIN_STEPS} are "
                "allowed (a chain this long is almost certainly a mistake)"
            )
        steps = []
        for i, raw in enumerate(data["steps"]):
            if not isinstance(raw, dict) or "type" not in raw:
                raise ConfigError(f'step {i + 1} needs a "type"')
            params = raw.get("params", {})
            if not isinstance(params, dict):
                raise ConfigError(f'step {i + 1}: "params" must be an object')
            kind = step_type(str(raw["type"]))
            steps.append(StepSpec(kind.name, kind.resolve(params), bool(raw.get("bypass", False))))
        adaptive = data.get("adaptive", False)
        if not isinstance(adaptive, bool):
            raise ConfigError('"adaptive" must be true or false')
        return cls(
            steps=steps,
            name=str(data.get("name", "custom")),
            description=str(data.get("description", "")),
            adaptive=adaptive,
        )

    @classmethod
    def from_json(cls, path: str | os.PathLike[str]) -> ChainConfig:
        name = Path(path).name
        try:
            with open(path, "rb") as f:
                raw = f.read(MAX_CHAIN_BYTES + 1)
            if len(raw) > MAX_CHAIN_BYTES:
                raise ChainFileError(
                    f"chain file {name} is larger than {MAX_CHAIN_BYTES // 1024} KiB; "
                    "a chain is a short list of steps: check that this is the right file"
                )
            data = json.loads(raw.decode("utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"chain file not found: {path}") from None
        except RecursionError:
            raise ChainFileError(
                f"chain file {name} is nested too deeply to be a chain; check the file"
            ) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read chain file {name}: {exc}") from exc
        return cls.from_dict(data)

    def with_model(self, model: str) -> ChainConfig:
        """A copy whose model steps use ``model`` (a built-in name or a path).

        Another model than the built-in ones also replaces the mask model's
        speech-in-noise companion: a user's own model is used throughout.
        """
        change: dict[str, Any] = {"model": model}
        if model not in ("default", "auto"):
            change["speech_model"] = "off"
        steps = [
            StepSpec(
                s.type, {**s.params, **change} if s.type == "model" else dict(s.params), s.bypass
            )
            for s in self.steps
        ]
        return ChainConfig(steps, self.name, self.description, adaptive=self.adaptive)

    @property
    def model(self) -> str:
        """The model of the first model step (``"auto"``, the built-in choice, when there
        is none)."""
        return next((str(s.params["model"]) for s in self.steps if s.type == "model"), "auto")

    @property
    def chooses_model(self) -> bool:
        """Whether a model step leaves the model to the programme (``"auto"``)."""
        return any(
            s.type == "model" and not s.bypass and s.params.get("model") == "auto"
            for s in self.steps
        )


def list_presets() -> list[str]:
    """Names of the presets shipped with the package."""
    folder = resources.files("core") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def load_preset(name: str) -> ChainConfig:
    """A shipped preset by name; raises :class:`ConfigError` for an unknown one."""
    if name not in list_presets():
        raise ConfigError(f"unknown preset {name!r}; available: {', '.join(list_presets())}")
    text = (resources.files("core") / "presets" / f"{name}.json").read_text(encoding="utf-8")
    return ChainConfig.from_dict(json.loads(text))
