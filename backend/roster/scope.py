"""Who a vote, campaign or survey is for: the whole compound, a building, or one of its entrances."""

from ..names import scope_text


class Scoped:
    """For models with ``scope_building`` and ``scope_entrance`` columns (entrance only with a building)."""

    @property
    def scope(self):
        """{"building", "entrance"} as far as given; {} is the whole compound (the API's shape)."""
        return {k: v for k, v in (("building", self.scope_building), ("entrance", self.scope_entrance)) if v}

    @property
    def scope_text(self):
        return scope_text(self.scope_building, self.scope_entrance)
