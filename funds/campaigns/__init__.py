"""Co-funding campaigns 居民出资: shares, pledges and payments (DOMAIN.md §3, API.md "Co-funding")."""


def init_app(app):
    pass
