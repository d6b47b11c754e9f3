"""Feature package: surveys 问卷 — ask every household before anyone decides (API.md "Surveys")."""


def init_app(app):
    pass
