"""Widgets that show a recording: timeline (waveform + spectrogram), transport, panels."""
