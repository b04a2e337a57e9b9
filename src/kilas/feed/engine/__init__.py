"""The Untukmu ranking engine, usable without the web app (see recommender.py for the API)."""

from kilas.feed.engine.model import RankingModel
from kilas.feed.engine.profile import Profile, Signal
from kilas.feed.engine.ranking import Candidate, Pick, Reason, choose_page
from kilas.feed.engine.recommender import Interaction, Item, Recommender

__all__ = [
    "Candidate",
    "Interaction",
    "Item",
    "Pick",
    "Profile",
    "RankingModel",
    "Reason",
    "Recommender",
    "Signal",
    "choose_page",
]
