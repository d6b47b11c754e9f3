"""The maintenance-fund ledger 维修资金分户账 (DOMAIN.md §4, API.md "Maintenance fund")."""


def init_app(app):
    pass
