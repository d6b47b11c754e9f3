"""Counting owner decisions exactly as DOMAIN.md §2 says (Civil Code art. 278, SPC interpretation art. 9).

One GROUP BY over the standing, confirmed ballots joined to the frozen electorate gives, per item and option,
the distinct owners the ballots count for (same-owner units collapse; a unit sold mid-vote counts for its buyer)
and the exact area in hundredths. Every ballot answers every item and one owner's ballots agree, so each
participating owner sits in exactly one option of each item: the participation of an item is the sum over its
options.

The result is a plain value: frozen dataclasses of integers, Fractions and one boolean per threshold check,
compared on integers only. ``votes/schemas.py`` renders it for the API (ratios rounded for display there) and
``votes/explain.py`` words it in Chinese; no page recomputes a threshold.
"""

import queue
import threading
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

from sqlalchemy import exists, func, insert, select, text, true

from backend.extensions import db

from .models import NEVER_WIN, THREE_QUARTERS, Ballot, BallotChoice, Vote, VoteItemFigure, VoteUnit


@dataclass(frozen=True)
class Figures:
    owners: int = 0
    area: int = 0  # hundredths of m²

    def __add__(self, other):
        return Figures(self.owners + other.owners, self.area + other.area)


@dataclass(frozen=True)
class Electorate(Figures):
    """The owners and area frozen at publish, and the units they hold."""

    units: int = 0


# --- the rules, on integers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    """``part`` of ``whole`` must reach ``fraction`` (inclusive), or pass it when ``strict``. Nothing of nothing
    meets a threshold: with no participants no option consents."""

    code: str  # as the API states the rule: "2/3", "3/4", ">1/2"
    fraction: Fraction
    strict: bool = False

    def met(self, part, whole):
        n, d = self.fraction.numerator, self.fraction.denominator
        return whole > 0 and (d * part > n * whole if self.strict else d * part >= n * whole)

    def shortfall(self, part, whole):
        """The fewest more (owners, or hundredths of m²) that would meet it; 0 when met."""
        n, d = self.fraction.numerator, self.fraction.denominator
        needed = n * whole // d + 1 if self.strict else -(-n * whole // d)
        return max(0, needed - part)


TWO_THIRDS = Threshold("2/3", Fraction(2, 3))  # participation, by head and by area
THREE_FOURTHS = Threshold("3/4", Fraction(3, 4))  # consent on the matters of art. 278 (6)–(8)
OVER_HALF = Threshold(">1/2", Fraction(1, 2), strict=True)  # consent on the other matters


def consent_rule(matter):
    """The consent threshold a matter needs; ``None`` for a consultation, which decides nothing."""
    if matter == "consultation":
        return None
    return THREE_FOURTHS if matter in THREE_QUARTERS else OVER_HALF


def participation_met(p, electorate):
    """At least 2/3 of the electorate's owners and of its area took part (both measures)."""
    return TWO_THIRDS.met(p.owners, electorate.owners) and TWO_THIRDS.met(p.area, electorate.area)


def consent_checks(matter, y, p):
    """(by head, by area) for consent ``y`` among participants ``p`` under the matter's rule."""
    rule = consent_rule(matter)
    return rule.met(y.owners, p.owners), rule.met(y.area, p.area)


def ranked_candidates(options, counts):
    """Options that can win, ranked for a runoff: consenting headcount, then area, then ballot order."""
    eligible = [o for o in options if o not in NEVER_WIN]
    return sorted(eligible, key=lambda o: (-counts.get(o, Figures()).owners, -counts.get(o, Figures()).area))


@dataclass(frozen=True)
class Check:
    """One threshold test on one measure: ``owners`` (by head) or ``area`` (hundredths of m²)."""

    kind: str  # "participation" or "consent"
    measure: str  # "owners" or "area"
    part: int
    whole: int
    threshold: Threshold
    option: Optional[str] = None  # the option whose consent is tested
    option_label: Optional[str] = None

    @property
    def key(self):
        return f"{self.kind}_{self.measure}"

    @property
    def met(self):
        return self.threshold.met(self.part, self.whole)


@dataclass(frozen=True)
class Share:
    """Figures out of a whole, with exact ratios (zero of nothing is zero)."""

    figures: Figures
    of: Figures

    @property
    def owners(self):
        return self.figures.owners

    @property
    def area(self):
        return self.figures.area

    @property
    def owners_ratio(self):
        return Fraction(self.owners, self.of.owners) if self.of.owners else Fraction(0)

    @property
    def area_ratio(self):
        return Fraction(self.area, self.of.area) if self.of.area else Fraction(0)


@dataclass(frozen=True)
class Participation(Share):
    """The owners and area that took part, out of the electorate."""

    @property
    def by_head(self):
        return Check("participation", "owners", self.owners, self.of.owners, TWO_THIRDS)

    @property
    def by_area(self):
        return Check("participation", "area", self.area, self.of.area, TWO_THIRDS)

    @property
    def met(self):
        return participation_met(self, self.of)

    @property
    def still_needed(self):
        """(owners, hundredths of m²) short of two thirds."""
        return (TWO_THIRDS.shortfall(self.owners, self.of.owners), TWO_THIRDS.shortfall(self.area, self.of.area))


@dataclass(frozen=True)
class OptionTally(Share):
    """One option's figures out of the participants, and its consent checks under the item's rule."""

    code: str = ""
    label: str = ""
    rule: Optional[Threshold] = None

    @property
    def may_win(self):
        return self.code not in NEVER_WIN

    @property
    def by_head(self):
        return self.rule and Check("consent", "owners", self.owners, self.of.owners, self.rule, self.code, self.label)

    @property
    def by_area(self):
        return self.rule and Check("consent", "area", self.area, self.of.area, self.rule, self.code, self.label)

    @property
    def consents(self):
        return bool(self.rule) and self.by_head.met and self.by_area.met


@dataclass(frozen=True)
class ItemTally:
    item_id: int
    title: str
    matter: str
    rule: Optional[Threshold]  # consent; None for a consultation
    participation: Participation
    options: tuple  # of OptionTally, in ballot order, zeros included

    @property
    def consultation(self):
        return self.rule is None

    @property
    def ranked(self):
        """Options that can win, in runoff order (``ranked_candidates``)."""
        order = ranked_candidates(self.codes, {o.code: o.figures for o in self.options})
        return [self.option(code) for code in order]

    @property
    def winner(self):
        if self.consultation or not self.participation.met:
            return None
        return next((o.code for o in self.ranked if o.consents), None)

    @property
    def passed(self):
        return None if self.consultation else self.winner is not None

    @property
    def leading(self):
        ranked = self.ranked
        return ranked[0].code if ranked else None

    @property
    def runoff(self):
        """The two leading options when a choice found no winner: a runoff vote settles it."""
        ranked = self.ranked
        if self.consultation or self.winner is not None or len(ranked) < 2:
            return None
        return [o.code for o in ranked[:2]]

    @property
    def shown(self):
        """The option whose consent a report states: the winner, else the leading option."""
        return self.option(self.winner or self.leading)

    def option(self, code):
        return next((o for o in self.options if o.code == code), None)

    @property
    def option_map(self):
        return {o.code: o for o in self.options}

    @property
    def codes(self):
        return [o.code for o in self.options]

    @property
    def rule_codes(self):
        return {"participation": TWO_THIRDS.code, "consent": self.rule.code if self.rule else None}

    @property
    def checks(self):
        """Every threshold the decision turns on: participation by head and by area, then the consent of the
        winner (or the leading option) by head and by area."""
        checks = [self.participation.by_head, self.participation.by_area]
        shown = self.shown
        if self.rule and shown:
            checks += [shown.by_head, shown.by_area]
        return checks


@dataclass(frozen=True)
class VoteTally:
    vote_id: int
    status: str
    scope: dict  # {"building", "entrance"} as far as given: who the electorate is
    electorate: Electorate
    warnings: tuple
    items: tuple  # of ItemTally


# --- counting -----------------------------------------------------------------------------------------------


def counted_ballots():
    """The ballots a tally counts: not superseded by a correction, and confirmed where confirmation is due."""
    return (Ballot.superseded_at.is_(None), Ballot.confirmed_at.is_not(None))


def aggregate_stmt(vote_ids):
    return (
        select(
            Ballot.vote_id,
            BallotChoice.item_id,
            BallotChoice.option,
            func.count(func.distinct(Ballot.owner_id)),
            func.sum(VoteUnit.area_cents),
        )
        .join(Ballot, Ballot.id == BallotChoice.ballot_id)
        .join(VoteUnit, (VoteUnit.vote_id == Ballot.vote_id) & (VoteUnit.unit_id == Ballot.unit_id))
        .where(Ballot.vote_id.in_(vote_ids), *counted_ballots())
        .group_by(Ballot.vote_id, BallotChoice.item_id, BallotChoice.option)
    )


def option_figures(vote_ids):
    """{item_id: {option: Figures}} for the given votes, in one query."""
    found = defaultdict(dict)
    for _vote_id, item_id, option, owners, area in db.session.execute(aggregate_stmt(vote_ids)):
        found[item_id][option] = Figures(int(owners), int(area or 0))
    return found


def _per_vote_figures(ordered):
    """PostgreSQL: for each vote of ``ordered`` (a subquery of id and compound_id, in report order) its own aggregate
    (LATERAL), streamed out in the votes' order. Per vote the plan reads index ranges only (0015_report_indexes):
    the counted ballots merged with the frozen units on unit_id, then each ballot's choices from the covering
    index; so an export costs its own votes' ballots whatever the older history, and the first vote's figures
    arrive without waiting for the last's."""
    agg = (
        select(
            BallotChoice.item_id,
            BallotChoice.option,
            func.count(func.distinct(Ballot.owner_id)).label("owners"),
            func.sum(VoteUnit.area_cents).label("area"),
        )
        .select_from(Ballot)
        .join(VoteUnit, (VoteUnit.vote_id == Ballot.vote_id) & (VoteUnit.unit_id == Ballot.unit_id))
        .join(BallotChoice, BallotChoice.ballot_id == Ballot.id)
        .where(Ballot.vote_id == ordered.c.id, VoteUnit.vote_id == ordered.c.id, *counted_ballots())
        .group_by(BallotChoice.item_id, BallotChoice.option)
        .lateral("figures")
    )
    return (
        select(ordered.c.id, agg.c.item_id, agg.c.option, agg.c.owners, agg.c.area)
        .select_from(ordered)
        .join(agg, true())
        .order_by(ordered.c.compound_id, ordered.c.id)
    )


def _grouped_figures(ordered):
    """Other databases (SQLite): one GROUP BY over the chosen votes, in the votes' order."""
    return (
        aggregate_stmt(select(ordered.c.id))
        .join(Vote, Vote.id == Ballot.vote_id)
        .group_by(Vote.compound_id)
        .order_by(Vote.compound_id, Ballot.vote_id)
    )


def store_figures(vote_ids):
    """Write the live counts of ``vote_ids`` (a list or a select of ids) to ``vote_item_figures``: the rows of
    ``aggregate_stmt``, one per item and option chosen. Called as a vote is announced, in that transaction."""
    columns = ["vote_id", "item_id", "option", "owners", "area_cents"]
    db.session.execute(insert(VoteItemFigure).from_select(columns, aggregate_stmt(vote_ids)))


def store_missing_figures():
    """Store the counts of announced votes that have none stored (written by COPY, say); the number of votes.
    A vote with no counted ballot has no rows to store, and none are read for it."""
    missing = select(Vote.id).where(Vote.status == "announced", ~exists().where(VoteItemFigure.vote_id == Vote.id))
    votes = db.session.scalar(select(func.count()).select_from(missing.subquery()))
    store_figures(missing)
    db.session.commit()
    return votes


class FigureStream:
    """Counts of many votes, read a vote at a time in (compound, vote) order.

    ``votes``: the report's votes, loaded. ``of(vote_id)`` must be asked in (compound, vote) order; it returns
    the vote's {item_id: {option: Figures}} (empty for a vote with no counted ballots).

    An announced vote's counts are the rows stored at its announcement (no ballot of it can change since), read in
    one small statement; only the votes not yet announced are counted live, from one streamed statement. Either
    statement runs only when some chosen vote needs it: an export of announced votes reads no ballot."""

    def __init__(self, votes):
        # Both reads take the ids of the votes as they were loaded, not the report's filter again: a vote announced
        # (or published) while the report runs is counted once, as it was loaded, never dropped or out of step.
        announced = [v.id for v in votes if v.status == "announced"]
        live = [v.id for v in votes if v.status != "announced"]
        self.stored = self._read_stored(announced) if announced else {}
        self.result = self.fetcher = None
        self.rows, self.pending = iter(()), None
        if live:
            self._stream(select(Vote.id).where(Vote.id.in_(live)))

    @staticmethod
    def _read_stored(vote_ids):
        found = defaultdict(lambda: defaultdict(dict))
        f = VoteItemFigure
        rows = select(f.vote_id, f.item_id, f.option, f.owners, f.area_cents).where(f.vote_id.in_(vote_ids))
        for vote_id, item_id, option, owners, area in db.session.execute(rows):
            found[vote_id][item_id][option] = Figures(owners, area)
        return found

    def _stream(self, chosen):
        # The votes in report order, ordered inside the subquery: the nested loop over them keeps that order, so
        # PostgreSQL sorts the few vote rows first and streams the figures instead of sorting them all at the end.
        ordered = chosen.add_columns(Vote.compound_id).order_by(Vote.compound_id, Vote.id).subquery("chosen")
        postgres = db.session.get_bind().dialect.name == "postgresql"
        if postgres:
            # The estimate of a city's LATERAL passes the JIT threshold, and compiling it costs more than the whole
            # first vote's figures: a report reads index ranges, it has nothing to gain (for this transaction only).
            db.session.execute(text("SET LOCAL jit = off"))
        stmt = _per_vote_figures(ordered) if postgres else _grouped_figures(ordered)
        self.result = db.session.execute(stmt, execution_options={"yield_per": 100})
        # PostgreSQL: the next rows are fetched by a thread while the caller works through these, so the database
        # computes the next votes' figures while the report formats the last (SQLite's connection stays in its
        # thread). The caller must not use the session until close(): it runs nothing between, it only reads rows.
        self.fetcher = _Prefetch(self.result) if postgres else None
        self.rows = iter(self.fetcher) if postgres else self.result
        self.pending = next(self.rows, None)

    def of(self, vote_id):
        if vote_id in self.stored:
            return self.stored.pop(vote_id)
        found = defaultdict(dict)
        while self.pending is not None and self.pending[0] == vote_id:
            _vote_id, item_id, option, owners, area = self.pending
            found[item_id][option] = Figures(int(owners), int(area or 0))
            self.pending = next(self.rows, None)
        return found

    def close(self):
        if self.fetcher is not None:
            self.fetcher.stop()
        if self.result is not None:
            self.result.close()


class _Prefetch:
    """The rows of a streamed ``result``, fetched ``size`` at a time by a thread of their own, at most ``ahead``
    batches before the reader; a failure is raised to the reader. ``stop()`` ends the thread (a download abandoned
    half way) before the result is closed."""

    def __init__(self, result, size=100, ahead=8):
        self.result, self.size = result, size
        self.batches = queue.Queue(maxsize=ahead)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._fetch, name="figure-prefetch", daemon=True)
        self.thread.start()

    def _fetch(self):
        try:
            while not self.stopping.is_set():
                batch = self.result.fetchmany(self.size)
                self._put(batch)
                if not batch:
                    return
        except Exception as e:  # raised again in the reader's thread
            self._put(e)

    def _put(self, item):
        while not self.stopping.is_set():
            try:
                self.batches.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def __iter__(self):
        while True:
            batch = self.batches.get()
            if isinstance(batch, Exception):
                raise batch
            if not batch:
                return
            yield from batch

    def stop(self):
        self.stopping.set()
        self.thread.join()


def stream_figures(votes):
    return FigureStream(votes)


def electorate_of(vote):
    return Electorate(vote.electorate_owners, vote.electorate_area_cents, vote.electorate_units)


def tally_item(item, electorate, counts):
    """One item's result from its counts ({option: Figures}) and the frozen electorate."""
    participants = sum((counts.get(o, Figures()) for o in item.options), Figures())
    rule = consent_rule(item.matter)
    options = tuple(
        OptionTally(counts.get(c["code"], Figures()), participants, c["code"], c["label"], rule) for c in item.choices
    )
    return ItemTally(
        item.id,
        item.title,
        item.matter,
        rule,
        Participation(participants, Figures(electorate.owners, electorate.area)),
        options,
    )


def tally_votes(votes):
    """{vote_id: VoteTally} for several votes (loaded with their items) in one aggregate query."""
    figures = option_figures([v.id for v in votes]) if votes else {}
    return {
        v.id: VoteTally(
            v.id,
            v.status_at(),
            v.scope,
            electorate_of(v),
            tuple(v.warnings),
            tuple(tally_item(i, electorate_of(v), figures.get(i.id, {})) for i in v.items),
        )
        for v in votes
    }


def tally(vote):
    return tally_votes([vote])[vote.id]
