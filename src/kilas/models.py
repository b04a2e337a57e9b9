"""Every table, imported in one place for migrations and tests."""


def load_models() -> None:
    import kilas.accounts.models
    import kilas.analytics.models
    import kilas.events.models
    import kilas.feed.models
    import kilas.learning.models
    import kilas.search.models
    import kilas.social.models
    import kilas.videos.models  # noqa: F401
