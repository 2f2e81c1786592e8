"""The main window's controllers, one per concern.

Each is a ``QObject`` holding the state and the background jobs of its concern and
talking to its views only through their intent methods (``set_busy``,
``show_result``, ``set_view_range``, …); the window builds the views, the actions and
the menus, wires controllers together through their signals, and keeps nothing else.

* :mod:`.session`: the open recordings, which one is current, opening and closing.
* :mod:`.restore`: Apply and Cancel, the strength preview, undo, the models kept loaded.
* :mod:`.view`: the timeline's pictures (spectrograms), zoom and selection.
* :mod:`.playback`: the player, the playhead, A/B/removed-noise listening, loops.
* :mod:`.analysis`: the Analysis panel's before/after measurements.
* :mod:`.export`: writing the preview, restoring a folder, the status-bar indicator.
* :mod:`.training`: the training dialog and the models it saves.
"""

from __future__ import annotations

from collections.abc import Callable

#: Shows a message in the window's status bar for ``timeout`` ms (0: until replaced).
Status = Callable[..., None]
