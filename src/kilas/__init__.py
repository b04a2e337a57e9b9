"""Kilas: short vertical videos for learning and small businesses."""
