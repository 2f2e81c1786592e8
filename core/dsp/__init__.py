"""Signal processing: STFT, filters, loudness, channel handling."""
