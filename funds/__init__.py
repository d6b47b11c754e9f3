"""Feature package: money — co-funding campaigns (DOMAIN.md §3) and the maintenance-fund ledger (§4).

Two parts with their own models, schemas, services and routes; both share the core's money rules
(``backend/money.py``) and audit chains ("campaign:<id>", "fund:<compound id>").
"""


def init_app(app):
    from . import campaigns, ledger

    campaigns.init_app(app)
    ledger.init_app(app)
