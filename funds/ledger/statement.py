"""The yearly fund statement (filled in below)."""


def response(compound, year, fmt):
    raise NotImplementedError
