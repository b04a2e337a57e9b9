"""Learning content: series, saved collections, subtitles and video answers to comments."""
