"""A synthetic ground truth for person matching: people, true duplicates with realistic corruption,
and look-alikes who are different people. No Django imports; deterministic for a given seed.

Names come from the demo generator's pools (demo/names.py) and identifiers from its reserved ranges
(demo/numbers.py), so no record can describe a real person. Each duplicate is a copy of a person as
another custody desk or court list might record them: a mistyped or phonetically spelt name, a
nickname, another name they are known by, day and month of birth swapped, a mistyped digit, the
NHS number or PNC ID missing, a new postcode. The look-alikes make precision mean something: twins
(same last name, birthday and address) and a parent and child with the same name and address.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from liaison.demo import numbers
from liaison.demo.names import (
    ETHNICITY_POOLS,
    FEMALE_ONLY_FAMILY,
    FEMININE_ENDINGS,
    MALE_ONLY_FAMILY,
    POOLS,
    SHORT_FORMS,
)
from liaison.matching.features import Name, Record, fold

# Rough shares of the NHS ethnic categories among people seen in custody (synthetic, for name mix).
ETHNICITY_WEIGHTS = {
    "A": 62, "B": 2, "C": 7, "D": 3, "E": 1, "F": 1, "G": 2, "H": 3, "J": 4, "K": 2, "L": 2,
    "M": 4, "N": 4, "P": 1, "R": 1, "S": 2,
}  # fmt: skip
# Fictional postcode areas (letters no UK postcode area uses), one per imagined team.
AREAS = ("QX", "QZ", "XJ", "XQ", "ZJ", "ZQ", "JX", "VQ")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
KEYBOARD = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc", "g": "ftyhbv",
    "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop", "m": "njk", "n": "bhjm",
    "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz", "t": "rfgy", "u": "yhji",
    "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}  # fmt: skip
# How last names are spread. The demo pools hold 107 British last names, each drawn equally often: at
# 600,000 people that gives every British last name to 1 person in 170 (as common as Jones), and ~40
# people to every common full name — far more look-alike pairs than a real population has. Real last
# names follow a long tail (Smith about 1 in 80, most names 1 in several thousand or rarer), so the
# British pool is weighted by rank (Smith the commonest, about 1 in 50 British records) and half the
# British records take a last name from a tail of place-names (Ashworth, Thornley, ...). "pools"
# reproduces the even spread of earlier evaluations.
SURNAME_SPREADS = ("long-tail", "pools")
TAIL_PREFIXES = (
    "Ash", "Birch", "Black", "Brad", "Brook", "Bur", "Cald", "Carl", "Chat", "Clay", "Cold", "Crom",
    "Dal", "Dun", "East", "Elm", "Fair", "Fen", "Glen", "Hal", "Hart", "Hazel", "Heath", "High",
    "Holl", "Kings", "Lang", "Lind", "Marsh", "Mel", "Mid", "Mill", "Moor", "North", "Oak", "Pen",
    "Ridge", "Rock", "Shel", "South", "Stan", "Stock", "Thorn", "Wake", "West", "Whit", "Win", "Wy",
)  # fmt: skip
TAIL_SUFFIXES = (
    "ley", "ton", "field", "worth", "by", "ford", "ham", "well", "wood", "combe", "ridge", "stone",
    "more", "dale", "hurst", "bury", "stead", "wick", "thorpe", "den", "shaw", "cliffe", "brook",
    "gate", "hill", "land", "mere", "wall", "cote", "low",
)  # fmt: skip
HEAD_SHARE = 0.5  # of British records: a last name from the demo pool, the rest from the tail
# Spellings people hear and write differently (applied to the folded name, first match only).
SOUND_ALIKES = (
    ("ph", "f"), ("th", "t"), ("ck", "k"), ("ie", "y"), ("y", "ie"), ("ou", "o"), ("ee", "ea"),
    ("mm", "m"), ("nn", "n"), ("ll", "l"), ("tt", "t"), ("ss", "s"), ("ai", "ay"), ("c", "k"),
)  # fmt: skip


@dataclass
class Entity:
    """One synthetic person: their records all describe them."""

    given: str
    family: str
    sex: str
    ethnicity: str
    date_of_birth: dt.date
    nhs_number: str
    pnc_id: str
    postcode: str
    preferred: str = ""
    aliases: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class LabelledRecord:
    entity: int  # records with the same entity are the same person
    record: Record
    corruption: tuple[str, ...] = ()  # what was changed from the first record (duplicates only)
    duplicate: bool = False  # a second (or third) record of the person


@dataclass
class GroundTruth:
    records: list[LabelledRecord]

    def true_pairs(self) -> set[tuple[int, int]]:
        by_entity: dict[int, list[int]] = {}
        for index, rec in enumerate(self.records):
            by_entity.setdefault(rec.entity, []).append(index)
        pairs: set[tuple[int, int]] = set()
        for members in by_entity.values():
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    pairs.add((members[x], members[y]))
        return pairs


def british_surnames() -> tuple[list[str], list[float]]:
    """British last names with cumulative weights: the demo pool by rank (the n-th name weighted
    1 / (n + 10)) for HEAD_SHARE of records, then an even tail of place-name surnames."""
    head = list(POOLS["british"].family)
    tail = sorted({p + s for p in TAIL_PREFIXES for s in TAIL_SUFFIXES} - set(head))
    raw = [1 / (rank + 10) for rank in range(1, len(head) + 1)]
    weights = [HEAD_SHARE * w / sum(raw) for w in raw] + [(1 - HEAD_SHARE) / len(tail)] * len(tail)
    cumulative: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    return head + tail, cumulative


def postcode_area(postcode: str) -> str:
    return "".join(c for c in postcode.split()[0] if c.isalpha())


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class SyntheticPopulation:
    def __init__(
        self,
        *,
        people: int,
        seed: int,
        duplicate_rate: float = 0.15,
        lookalike_rate: float = 0.005,
        today: dt.date = dt.date(2026, 3, 1),
        surnames: str = "long-tail",
    ) -> None:
        if people < 2:
            raise ValueError("people must be at least 2")
        if surnames not in SURNAME_SPREADS:
            raise ValueError(f"surnames must be one of {', '.join(SURNAME_SPREADS)}")
        self.surnames = surnames
        self._british = british_surnames()
        self.people = people
        # Seeded and reproducible on purpose: synthetic data, never a secret.
        self.rng = random.Random(f"matching-ground-truth:{seed}")  # noqa: S311
        self.duplicate_rate = duplicate_rate
        self.lookalike_rate = lookalike_rate
        self.today = today
        self._nhs: set[str] = set()
        self._pnc: set[str] = set()
        # Addresses are shared (families, hostels, flats): about ten people to a postcode, as in
        # the real postcode file (about 1.7 million postcodes for 67 million people: 40 each).
        per_area = max(20, people // len(AREAS) // 10)
        self._postcodes = {
            area: sorted({numbers.postcode(self.rng, area) for _ in range(per_area)}) for area in AREAS
        }

    # --- people ------------------------------------------------------------------------------------

    def _name(self, sex: str, ethnicity: str) -> tuple[str, str]:
        rng = self.rng
        given_pool, family_pool = rng.choice(ETHNICITY_POOLS[ethnicity])
        female = sex == "2"
        pool = POOLS[given_pool]
        given = rng.choice(pool.female if female else pool.male)
        family = self._family(family_pool)
        while family in (MALE_ONLY_FAMILY if female else FEMALE_ONLY_FAMILY):
            family = self._family(family_pool)
        if female and family_pool == "european":
            for male_end, female_end in FEMININE_ENDINGS:
                if family.endswith(male_end):
                    family = family[: -len(male_end)] + female_end
        return given, family

    def _family(self, pool: str) -> str:
        if pool == "british" and self.surnames == "long-tail":
            names, cumulative = self._british
            return self.rng.choices(names, cum_weights=cumulative)[0]
        return self.rng.choice(POOLS[pool].family)

    def _entity(self) -> Entity:
        rng = self.rng
        sex = "2" if rng.random() < 0.18 else "1"  # most people seen in custody are men
        ethnicity = _pick(rng, ETHNICITY_WEIGHTS)
        given, family = self._name(sex, ethnicity)
        age = rng.randint(12, 75)
        dob = self.today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        entity = Entity(
            given=given,
            family=family,
            sex=sex,
            ethnicity=ethnicity,
            date_of_birth=dob,
            nhs_number=numbers.nhs_number(rng, self._nhs) if rng.random() < 0.85 else "",
            pnc_id=numbers.pnc_id(rng, self._pnc, earliest_year=dob.year + 10, latest_year=self.today.year)
            if rng.random() < 0.65
            else "",
            postcode=rng.choice(self._postcodes[rng.choice(AREAS)]) if rng.random() < 0.9 else "",
            preferred=SHORT_FORMS.get(given, "") if rng.random() < 0.4 else "",
        )
        if rng.random() < 0.08:
            for _ in range(rng.choice((1, 1, 2))):
                alias_given, alias_family = self._name(sex, ethnicity)
                entity.aliases.append((given if rng.random() < 0.5 else alias_given, alias_family))
        return entity

    @staticmethod
    def _record(entity: Entity) -> Record:
        names = [Name(entity.given, entity.family)]
        if entity.preferred:
            names.append(Name(entity.preferred, entity.family))
        names.extend(Name(g, f) for g, f in entity.aliases)
        return Record(
            names=tuple(names),
            date_of_birth=entity.date_of_birth,
            sex=entity.sex,
            nhs_number=entity.nhs_number,
            pnc_id=entity.pnc_id,
            postcode=entity.postcode,
        )

    # --- corruption --------------------------------------------------------------------------------

    def typo(self, word: str) -> str:
        """One keyboard slip: a neighbouring key, a letter dropped, doubled, or two swapped."""
        rng = self.rng
        if len(word) < 3:
            return word
        i = rng.randint(1, len(word) - 1)  # people rarely get the first letter wrong
        kind = rng.choice(("neighbour", "drop", "double", "swap", "sound"))
        lower = word.lower()
        if kind == "sound":
            folded = fold(word).replace(" ", "")
            for old, new in SOUND_ALIKES:
                at = folded.find(old, 1)
                if at > 0:
                    changed = folded[:at] + new + folded[at + len(old) :]
                    return changed.capitalize()
            kind = "neighbour"
        if kind == "neighbour" and lower[i] in KEYBOARD:
            c = rng.choice(KEYBOARD[lower[i]])
            return word[:i] + c + word[i + 1 :]
        if kind == "drop":
            return word[:i] + word[i + 1 :]
        if kind == "double":
            return word[:i] + word[i] + word[i:]
        if kind == "swap" and i < len(word) - 1:
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        return word[:i] + rng.choice(LETTERS) + word[i + 1 :]

    def _nickname(self, given: str) -> str | None:
        from liaison.matching.features import _nicknames

        folded = fold(given).replace(" ", "")
        table = _nicknames()
        options = sorted(n for n, groups in table.items() if folded in groups and n != folded)
        if not options:
            return None
        return self.rng.choice(options).capitalize()

    def duplicate_of(self, entity: Entity) -> tuple[Record, tuple[str, ...]]:
        rng = self.rng
        done: list[str] = []
        given, family = entity.given, entity.family
        roll = rng.random()
        if roll < 0.2:
            nick = self._nickname(given) or (entity.preferred or None)
            if nick:
                given, done = nick, [*done, "nickname"]
        elif roll < 0.35:
            given, done = self.typo(given), [*done, "given typo"]
        roll = rng.random()
        if roll < 0.15:
            family, done = self.typo(family), [*done, "family typo"]
        elif roll < 0.2 and entity.aliases:
            given_alias, family_alias = rng.choice(entity.aliases)
            given, family, done = given_alias or given, family_alias, [*done, "alias"]
        dob: dt.date | None = entity.date_of_birth
        roll = rng.random()
        assert dob is not None  # noqa: S101 - every entity has one
        if roll < 0.1 and dob.day <= 12 and dob.day != dob.month:
            dob, done = dob.replace(month=dob.day, day=dob.month), [*done, "dob swapped"]
        elif roll < 0.18:
            dob, done = self._dob_typo(dob), [*done, "dob typo"]
        elif roll < 0.195:
            dob, done = None, [*done, "dob missing"]
        nhs = entity.nhs_number
        if nhs and rng.random() < 0.6:
            nhs, done = "", [*done, "no nhs number"]
        pnc = entity.pnc_id
        if pnc and rng.random() < 0.4:
            pnc, done = "", [*done, "no pnc id"]
        postcode = entity.postcode
        roll = rng.random()
        if roll < 0.25:
            # Most moves are local: half stay in the same postcode area.
            area = postcode_area(postcode) if postcode and rng.random() < 0.5 else rng.choice(AREAS)
            area = area if area in self._postcodes else rng.choice(AREAS)
            postcode, done = rng.choice(self._postcodes[area]), [*done, "moved"]
        elif roll < 0.4:
            postcode, done = "", [*done, "no postcode"]
        sex = entity.sex
        roll = rng.random()
        if roll < 0.05:
            sex, done = "0", [*done, "sex not known"]
        elif roll < 0.06:
            sex, done = ("2" if sex == "1" else "1"), [*done, "sex wrong"]
        # An intake record has one name; the duplicate in the database may carry another alias too.
        names = [Name(given, family)]
        return (
            Record(
                names=tuple(names), date_of_birth=dob, sex=sex, nhs_number=nhs, pnc_id=pnc, postcode=postcode
            ),
            tuple(done),
        )

    def _dob_typo(self, dob: dt.date) -> dt.date:
        rng = self.rng
        for _ in range(20):
            digits = list(f"{dob.day:02d}{dob.month:02d}{dob.year:04d}")
            i = rng.choice((0, 1, 3, 6, 7))  # day, month or the last two digits of the year
            digits[i] = str((int(digits[i]) + rng.choice((1, -1, 2))) % 10)
            text = "".join(digits)
            try:
                changed = dt.date(int(text[4:]), int(text[2:4]), int(text[:2]))
            except ValueError:
                continue
            if changed != dob and changed < self.today:
                return changed
        return dob

    # --- look-alikes: different people who share a lot ---------------------------------------------

    def _twin(self, entity: Entity) -> Entity:
        rng = self.rng
        sex = entity.sex if rng.random() < 0.6 else ("2" if entity.sex == "1" else "1")
        given, _ = self._name(sex, entity.ethnicity)
        while fold(given) == fold(entity.given):
            given, _ = self._name(sex, entity.ethnicity)
        return Entity(
            given=given,
            family=entity.family,
            sex=sex,
            ethnicity=entity.ethnicity,
            date_of_birth=entity.date_of_birth,
            nhs_number=numbers.nhs_number(rng, self._nhs) if rng.random() < 0.85 else "",
            pnc_id="",
            postcode=entity.postcode,
        )

    def _parent(self, entity: Entity) -> Entity:
        rng = self.rng
        dob = entity.date_of_birth - dt.timedelta(days=rng.randint(18 * 365, 40 * 365))
        return Entity(
            given=entity.given,
            family=entity.family,
            sex=entity.sex,
            ethnicity=entity.ethnicity,
            date_of_birth=dob,
            nhs_number=numbers.nhs_number(rng, self._nhs) if rng.random() < 0.85 else "",
            pnc_id="",
            postcode=entity.postcode,
        )

    # --- the whole set -----------------------------------------------------------------------------

    def build(self) -> GroundTruth:
        rng = self.rng
        entities = [self._entity() for _ in range(self.people)]
        lookalikes = []
        for entity in rng.sample(entities, int(self.people * self.lookalike_rate)):
            lookalikes.append(self._twin(entity) if rng.random() < 0.5 else self._parent(entity))
        entities.extend(lookalikes)
        records = [LabelledRecord(i, self._record(e)) for i, e in enumerate(entities)]
        duplicated = rng.sample(range(self.people), int(self.people * self.duplicate_rate))
        for index in duplicated:
            copies = 1 if rng.random() < 0.8 else 2
            for _ in range(copies):
                record, corruption = self.duplicate_of(entities[index])
                records.append(LabelledRecord(index, record, corruption, duplicate=True))
        order = list(range(len(records)))
        rng.shuffle(order)
        return GroundTruth([records[i] for i in order])


def iter_records(truth: GroundTruth) -> Iterator[Record]:
    return (r.record for r in truth.records)
