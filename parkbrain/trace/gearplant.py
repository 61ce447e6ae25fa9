"""A year (or a day, or ten million events) in the life of a gear plant, as EPCIS 2.0 JSON-LD.

Deterministic for a seed: steel heats arrive from the mill (ObjectEvent ADD with ILMD), are
forged into blank lots, hobbed into machined lots (some lots split), carburised in furnace runs
that merge two machined lots (TransformationEvent with the furnace temperature as sensor data),
inspected (conformant or not, with measured hardness; failed lots are reworked in another run),
packed into cases (AggregationEvent with SSCCs; a lot's last pieces share a case with the next
lot; one lot in ten is serialised first), palletised (with the odd case moved to another
pallet), and shipped to the demo EV maker, which captures its own receipt.

One quality incident is seeded: furnace ``F002`` ran some 55 °C cold for three days in the
middle of the period. Its lots there were inspected against a hardness limit they barely met
or missed: the marginal ones were shipped, the others held. ``GearPlant.incident`` says which
lots, cases, pallets and shipments that is, once the events have been generated.

Events stream day by day (``events``, ``documents``); only one day of work in progress and
the steel stock are held, so ten million events take as little memory as ten thousand.
"""

import math
import random
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from itertools import pairwise
from typing import Any

from .identifiers import gs1_check_digit, to_digital_link

GEAR = "gear"
EV = "ev"
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
VOCABULARY = "https://gear.demo.parkbrain.invalid/voc/"
CONTEXT = [EPCIS_CONTEXT, {"gp": VOCABULARY}]
CHINA = timezone(timedelta(hours=8))
OFFSET = "+08:00"

# GS1 company prefixes (GS1 China's published lengths: 692/693 give 8 digits, 691 gives 7).
GEAR_GCP = "69234561"
EV_GCP = "69345672"
MILL_GCP = "6912345"

STEEL = f"urn:epc:class:lgtin:{MILL_GCP}.020001."  # 20CrMnTiH bar, by heat
BLANK = f"urn:epc:class:lgtin:{GEAR_GCP}.01001."
MACHINED = f"urn:epc:class:lgtin:{GEAR_GCP}.01002."
GEAR_LOT = f"urn:epc:class:lgtin:{GEAR_GCP}.01003."
SERIAL_GEAR = f"urn:epc:id:sgtin:{GEAR_GCP}.01004."
SSCC = f"urn:epc:id:sscc:{GEAR_GCP}."


def sgln(gcp: str, location: str, extension: str = "0") -> str:
    return f"urn:epc:id:sgln:{gcp}.{location}.{extension}"


def gln(gcp: str, location: str) -> str:
    """The 13-digit GLN (with its check digit) of a company prefix and location reference."""
    digits = gcp + location
    return digits + gs1_check_digit(digits)


GEAR_PARTY = sgln(GEAR_GCP, "0000")
EV_PARTY = sgln(EV_GCP, "0000")
MILL_PARTY = f"urn:epc:id:pgln:{MILL_GCP}.00000"
MILL_NAME = "江南特钢有限公司"  # outside the zone: not in the registry
FORGE_SHOP = sgln(GEAR_GCP, "0011")
MACHINE_SHOP = sgln(GEAR_GCP, "0012")
HEAT_SHOP = sgln(GEAR_GCP, "0013")
QC_LAB = sgln(GEAR_GCP, "0014")
WAREHOUSE = sgln(GEAR_GCP, "0015")
GEAR_DOCK = sgln(GEAR_GCP, "0016", "D01")
EV_DOCK = sgln(EV_GCP, "0021", "D03")
EV_STORES = sgln(EV_GCP, "0021")

BLANK_KG = 2.85  # forged blank of a 2nd-gear wheel
HEAT_KG = (18_000, 26_000)  # one mill heat, as delivered
CASE_PIECES = 100
SERIAL_CASE = 24
PALLET_CASES = 12
TRUCK_PALLETS = 20
HARDNESS_MIN_HRC = 58.0
CARBURISING_CEL = (900.0, 950.0)  # the furnace's specified band
FURNACES_PER_LINE = 0.25
INCIDENT_FURNACE = 1  # F002
INCIDENT_HOURS = 72
#: Lines that give a year of events above 200,000 (about 16 events per line and day).
YEAR_LINES = 36
EVENTS_PER_LINE_DAY = 16.0


def lines_for(events: int, days: int = 365) -> int:
    """How many production lines give about `events` events over `days` days."""
    return max(1, math.ceil(events / (EVENTS_PER_LINE_DAY * days)))


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


@dataclass
class Incident:
    """What the seeded quality incident touched (complete once the events were generated)."""

    furnace: str
    window_start: datetime
    window_end: datetime
    temperature_band_cel: tuple[float, float] = CARBURISING_CEL
    hardness_min_hrc: float = HARDNESS_MIN_HRC
    #: Gear lots carburised in the furnace within the window, in run order; those that passed
    #: inspection (barely) and were packed, and those that failed and are held in stock.
    lots: list[str] = field(default_factory=list)
    passed_lots: list[str] = field(default_factory=list)
    held_lots: list[str] = field(default_factory=list)
    #: Affected lots with pieces on a pallet that left for the EV maker.
    shipped_lots: set[str] = field(default_factory=set)
    #: The machined lots and steel heats that went into the affected lots.
    machined_lots: set[str] = field(default_factory=set)
    heats: set[str] = field(default_factory=set)
    #: Cases holding pieces of an affected lot, with those lots.
    cases: dict[str, set[str]] = field(default_factory=dict)
    #: Pallets that ever held such a case, and those that left with one on board.
    pallets: set[str] = field(default_factory=set)
    shipped_pallets: set[str] = field(default_factory=set)
    #: desadv (despatch advice) URIs of the trucks that carried affected pallets.
    despatch_advices: set[str] = field(default_factory=set)


@dataclass
class _Heat:
    uri: str
    kg: float


@dataclass
class _Lot:
    uri: str
    pieces: int
    line: int
    heats: frozenset[str] = frozenset()
    machined: frozenset[str] = frozenset()
    affected: bool = False
    rework: bool = False
    #: The work order (生产工单) the lot was made under: its forging batch's.
    order: str = ""


@dataclass
class _Pallet:
    uri: str
    cases: list[str]


class GearPlant:
    """The gear plant's events from `start` for `days` days with `lines` production lines."""

    def __init__(
        self,
        seed: int = 2024,
        start: date = date(2025, 11, 26),
        days: int = 365,
        lines: int = YEAR_LINES,
    ) -> None:
        if days < 1 or lines < 1:
            raise ValueError("days and lines must be at least 1")
        self.seed = seed
        self.start = start
        self.days = days
        self.lines = lines
        self.furnaces = max(2, round(lines * FURNACES_PER_LINE))
        self.incident = self._incident()

    def _incident(self) -> Incident:
        window_start = datetime.combine(self.start + timedelta(days=self.days // 2), time(), CHINA)
        return Incident(
            furnace=self.furnace(INCIDENT_FURNACE),
            window_start=window_start,
            window_end=window_start + timedelta(hours=INCIDENT_HOURS),
        )

    def furnace(self, index: int) -> str:
        return sgln(GEAR_GCP, "0013", f"F{index + 1:03d}")

    def master_data(self, names: Mapping[str, str]) -> dict[str, list[dict[str, str]]]:
        """Each owner's locations as {id, name, parent} entries, parents first (what POST
        /locations takes): its own sites, shops and machines, and the parties it trades with.
        `names` are the gear maker's and the EV maker's registered names (keys GEAR, EV)."""

        def place(uri: str, name: str, parent: str = "") -> dict[str, str]:
            return {"id": uri, "name": name, **({"parent": parent} if parent else {})}

        def machines(shop: str, code: str, label: str, count: int, width: int) -> list[dict]:
            ref = shop.split(".")[1]
            return [
                place(
                    sgln(GEAR_GCP, ref, f"{code}{n:0{width}d}"),
                    f"{label} {code}{n:0{width}d}",
                    shop,
                )
                for n in range(1, count + 1)
            ]

        lines = self.lines
        gear = [
            place(GEAR_PARTY, names[GEAR]),
            place(FORGE_SHOP, "锻造车间", GEAR_PARTY),
            place(MACHINE_SHOP, "机加工车间", GEAR_PARTY),
            place(HEAT_SHOP, "热处理车间", GEAR_PARTY),
            place(QC_LAB, "质检中心", GEAR_PARTY),
            place(WAREHOUSE, "成品仓库", GEAR_PARTY),
            place(GEAR_DOCK, "发货月台 D01", GEAR_PARTY),
            place(sgln(GEAR_GCP, "0011", "RCV01"), "原材料收货 RCV01", FORGE_SHOP),
            *machines(FORGE_SHOP, "PRS", "锻压机", (lines + 1) // 2, 4),
            *machines(MACHINE_SHOP, "HOB", "滚齿机", lines, 4),
            *[
                place(self.furnace(n), f"渗碳炉 F{n + 1:03d}", HEAT_SHOP)
                for n in range(self.furnaces)
            ],
            *machines(QC_LAB, "QC", "检测工位", min(4, lines), 2),
            place(sgln(GEAR_GCP, "0015", "LSR01"), "激光打标 LSR01", WAREHOUSE),
            *machines(WAREHOUSE, "PK", "包装线", (lines + 3) // 4, 3),
            *machines(WAREHOUSE, "PL", "码垛位", (lines + 3) // 4, 3),
            place(sgln(GEAR_GCP, "0015", "RPK01"), "返工包装 RPK01", WAREHOUSE),
            place(MILL_PARTY, MILL_NAME),
            place(EV_PARTY, names[EV]),
            place(EV_STORES, f"{names[EV]} 零部件仓", EV_PARTY),
        ]
        ev = [
            place(EV_PARTY, names[EV]),
            place(EV_STORES, "零部件仓", EV_PARTY),
            place(EV_DOCK, "收货月台 D03", EV_STORES),
            place(GEAR_PARTY, names[GEAR]),
        ]
        return {GEAR: gear, EV: ev}

    def products(self) -> dict[str, list[dict[str, str]]]:
        """Each owner's products as {gtin, name} (the gear maker's and the steel it buys)."""
        named = [
            (STEEL, "20CrMnTiH 齿轮钢圆钢"),
            (BLANK, "二挡从动齿轮锻坯"),
            (MACHINED, "二挡从动齿轮（滚齿后）"),
            (GEAR_LOT, "二挡从动齿轮（渗碳淬火）"),
        ]
        gear = [{"gtin": _gtin(prefix), "name": name} for prefix, name in named]
        gear.append({"gtin": _gtin(SERIAL_GEAR), "name": "二挡从动齿轮（单件赋码）"})
        return {GEAR: gear, EV: [gear[3], gear[4]]}

    def events(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(owner, event) pairs, owner ``GEAR`` or ``EV``, day by day in time order; each pass
        fills ``incident`` afresh."""
        self.incident = self._incident()
        run = _Run(self)
        for day in range(self.days):
            yield from run.day(day)

    def documents(self, size: int = 500) -> Iterator[tuple[str, dict[str, Any]]]:
        """(owner, EPCISDocument of at most `size` events), each owner's events in order."""
        pending: dict[str, list[dict]] = {GEAR: [], EV: []}
        for owner, event in self.events():
            batch = pending[owner]
            batch.append(event)
            if len(batch) == size:
                yield owner, document(batch)
                pending[owner] = []
        for owner, batch in pending.items():
            if batch:
                yield owner, document(batch)


def order_uri(number: str) -> str:
    """A work order as the events' prodorder business transaction names it."""
    return f"{VOCABULARY}orders/{number}"


def _order(number: str) -> dict[str, list[dict[str, str]]]:
    return {"bizTransactionList": [{"type": "prodorder", "bizTransaction": order_uri(number)}]}


def _gtin(prefix: str) -> str:
    """The GTIN-14 of a lot or serial URN prefix (urn:epc:class:lgtin:C.R.)."""
    company, reference = prefix.rsplit(":", 1)[1].split(".")[:2]
    digits = reference[0] + company + reference[1:]
    return digits + gs1_check_digit(digits)


def document(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": events[-1]["eventTime"],
        "epcisBody": {"eventList": events},
    }


class _Run:
    """The state of one generation: steel stock, each stage's queue, counters."""

    def __init__(self, plant: GearPlant) -> None:
        self.plant = plant
        self.rng = random.Random(plant.seed)
        self.incident = plant.incident
        self.steel: deque[_Heat] = deque()
        self.heat_count = 0
        self.blanks: list[_Lot] = []  # forged yesterday, machined today
        self.machined: list[list[_Lot]] = [[] for _ in range(plant.lines)]
        self.to_inspect: list[_Lot] = []
        self.to_pack: list[_Lot] = []
        self.remainders: dict[int, tuple[_Lot, int]] = {}  # line -> (lot, pieces not yet cased)
        self.cases: dict[int, list[str]] = {}  # line -> cases packed today
        self.pallets: list[_Pallet] = []  # built yesterday, shipped today
        self.trucks: list[tuple[list[str], str, str]] = []  # shipped yesterday, received today
        self.runs = [0] * plant.lines
        self.sscc_serial = 0
        self.truck_count = 0
        self.out: list[tuple[str, dict]] = []
        self.today = plant.start

    # -- helpers ------------------------------------------------------------------------------
    def at(self, hour: float, spread_minutes: int = 40) -> datetime:
        minutes = int(hour * 60) + self.rng.randrange(spread_minutes)
        return datetime.combine(self.today, time(), CHINA) + timedelta(minutes=minutes)

    def emit(self, moment: datetime, event: dict[str, Any], owner: str = GEAR) -> None:
        event = {
            "type": event.pop("type"),
            "eventTime": _stamp(moment),
            "eventTimeZoneOffset": OFFSET,
            **event,
        }
        self.out.append((owner, event))

    def sscc(self, extension: str) -> str:
        self.sscc_serial += 1
        return f"{SSCC}{extension}{self.sscc_serial:08d}"

    def code(self, line: int) -> str:
        return f"{self.today:%y%m%d}{line:04d}"

    def day(self, index: int) -> list[tuple[str, dict]]:
        self.today = self.plant.start + timedelta(days=index)
        self.out = []
        self.receive_trucks()
        self.ship()
        self.receive_steel()
        self.inspect_and_pack()
        self.heat_treat()
        self.machine()
        self.forge()
        self.palletise()
        self.out.sort(key=lambda pair: pair[1]["eventTime"])
        return self.out

    # -- stages -------------------------------------------------------------------------------
    def receive_steel(self) -> None:
        """Heats arrive at 06:30 whenever less than three days of forging is in stock."""
        need = self.plant.lines * 2 * 1300 * 3
        while sum(h.kg for h in self.steel) < need:
            self.heat_count += 1
            number = f"S{self.today:%y}{self.heat_count:06d}"
            kg = round(self.rng.uniform(*HEAT_KG), 1)
            heat = _Heat(STEEL + number, kg)
            self.steel.append(heat)
            self.emit(
                self.at(6.5, 20),
                {
                    "type": "ObjectEvent",
                    "action": "ADD",
                    "quantityList": [{"epcClass": heat.uri, "quantity": kg, "uom": "KGM"}],
                    "bizStep": "receiving",
                    "disposition": "in_progress",
                    "readPoint": {"id": sgln(GEAR_GCP, "0011", "RCV01")},
                    "bizLocation": {"id": FORGE_SHOP},
                    "bizTransactionList": [
                        {
                            "type": "po",
                            "bizTransaction": f"urn:epcglobal:cbv:bt:{gln(GEAR_GCP, '0000')}:"
                            f"ST{self.today:%y%m}",
                        }
                    ],
                    "sourceList": [{"type": "owning_party", "source": MILL_PARTY}],
                    "destinationList": [{"type": "owning_party", "destination": GEAR_PARTY}],
                    "ilmd": {
                        "gp:heatNumber": number,
                        "gp:steelGrade": "20CrMnTiH",
                        "gp:carbonPct": round(self.rng.uniform(0.17, 0.23), 3),
                        "gp:mill": "江阴兴澄特种钢铁（演示）",
                    },
                },
            )

    def take_steel(self, kg: float) -> list[tuple[str, float]]:
        taken = []
        while kg > 0.05:
            heat = self.steel[0]
            used = round(min(heat.kg, kg), 1)
            taken.append((heat.uri, used))
            heat.kg = round(heat.kg - used, 1)
            kg = round(kg - used, 1)
            if heat.kg <= 0.05:
                self.steel.popleft()
        return taken

    def forge(self) -> None:
        """Two forging batches per line (08:00 and 16:00 shifts); flash and scale are scrap."""
        for line in range(self.plant.lines):
            for shift, hour in ((1, 8.0), (2, 16.0)):
                pieces = self.rng.randint(400, 440)
                scrap = self.rng.uniform(0.06, 0.08)
                inputs = self.take_steel(round(pieces * BLANK_KG / (1 - scrap), 1))
                lot = _Lot(
                    BLANK + f"F{self.code(line)}{shift}",
                    pieces,
                    line,
                    heats=frozenset(uri for uri, _kg in inputs),
                    order=f"WO-{self.today:%y%m%d}-{line + 1:02d}",
                )
                self.blanks.append(lot)
                self.emit(
                    self.at(hour, 90),
                    {
                        "type": "TransformationEvent",
                        "inputQuantityList": [
                            {"epcClass": uri, "quantity": kg, "uom": "KGM"} for uri, kg in inputs
                        ],
                        "outputQuantityList": [{"epcClass": lot.uri, "quantity": pieces}],
                        "bizStep": "gp:forging",
                        "disposition": "in_progress",
                        "readPoint": {"id": sgln(GEAR_GCP, "0011", f"PRS{line // 2 + 1:04d}")},
                        "bizLocation": {"id": FORGE_SHOP},
                        **_order(lot.order),
                    },
                )

    def machine(self) -> None:
        """Yesterday's blanks are turned and hobbed; one lot in ten is split in two."""
        forged, self.blanks = self.blanks, []
        for blank in forged:
            good = blank.pieces - self.rng.randint(1, 6)
            parts = [good]
            if self.rng.random() < 0.1:
                first = good // 2 + self.rng.randint(-20, 20)
                parts = [first, good - first]
            outputs = []
            suffix = blank.uri.rsplit(".", 1)[1][1:]
            for n, pieces in enumerate(parts):
                lot = _Lot(
                    MACHINED + f"M{suffix}{'AB'[n]}",
                    pieces,
                    blank.line,
                    blank.heats,
                    order=blank.order,
                )
                outputs.append(lot)
                self.machined[blank.line].append(lot)
            self.emit(
                self.at(9.0 if suffix.endswith("1") else 17.0, 120),
                {
                    "type": "TransformationEvent",
                    "inputQuantityList": [{"epcClass": blank.uri, "quantity": blank.pieces}],
                    "outputQuantityList": [
                        {"epcClass": lot.uri, "quantity": lot.pieces} for lot in outputs
                    ],
                    "bizStep": "gp:hobbing",
                    "disposition": "in_progress",
                    "readPoint": {"id": sgln(GEAR_GCP, "0012", f"HOB{blank.line + 1:04d}")},
                    "bizLocation": {"id": MACHINE_SHOP},
                    **_order(blank.order),
                },
            )

    def heat_treat(self) -> None:
        """Machined lots waiting since yesterday go into the furnace two at a time."""
        for line in range(self.plant.lines):
            waiting = self.machined[line]
            while len(waiting) >= 2:
                pair, waiting[:] = waiting[:2], waiting[2:]
                furnace = (line + self.runs[line]) % self.plant.furnaces
                self.runs[line] += 1
                number = f"H{self.code(line)}{self.runs[line] % 100:02d}"
                self.furnace_run(pair, furnace, number, line)

    def furnace_run(self, inputs: list[_Lot], furnace: int, number: str, line: int) -> _Lot:
        started = self.at(14.0 if inputs[0].rework else self.rng.choice((10.0, 14.0, 18.0)), 60)
        finished = started + timedelta(hours=7)
        # A run is recorded when it ends, and the window is of recorded runs.
        affected = furnace == INCIDENT_FURNACE and (
            self.incident.window_start <= finished < self.incident.window_end
        )
        pieces = sum(lot.pieces for lot in inputs) - self.rng.randint(0, 2)
        lot = _Lot(
            GEAR_LOT + number,
            pieces,
            line,
            heats=frozenset().union(*(i.heats for i in inputs)),
            machined=frozenset(i.uri for i in inputs if not i.rework) | inputs[0].machined,
            affected=affected or any(i.affected for i in inputs),
            order=inputs[0].order,
        )
        if affected:
            self.incident.lots.append(lot.uri)
            self.incident.machined_lots |= lot.machined
            self.incident.heats |= lot.heats
        setpoint = 872.0 if affected else 928.0
        readings = [
            {
                "type": "Temperature",
                "time": _stamp(started + timedelta(hours=hour)),
                "value": round(setpoint + self.rng.uniform(-4, 4), 1),
                "uom": "CEL",
            }
            for hour in range(1, 7)
        ]
        self.emit(
            finished,
            {
                "type": "TransformationEvent",
                "inputQuantityList": [{"epcClass": i.uri, "quantity": i.pieces} for i in inputs],
                "outputQuantityList": [{"epcClass": lot.uri, "quantity": pieces}],
                "bizStep": "gp:carburising",
                "disposition": "in_progress",
                "readPoint": {"id": self.plant.furnace(furnace)},
                "bizLocation": {"id": HEAT_SHOP},
                **_order(lot.order),
                "sensorElementList": [
                    {
                        "sensorMetadata": {
                            "startTime": _stamp(started),
                            "endTime": _stamp(finished),
                            "deviceID": f"urn:epc:id:giai:{GEAR_GCP}.TC{furnace + 1:03d}",
                        },
                        "sensorReport": readings,
                    }
                ],
            },
        )
        self.to_inspect.append(lot)
        return lot

    def inspect_and_pack(self) -> None:
        """Lots carburised yesterday are inspected at 09:00; conformant ones are packed."""
        lots, self.to_inspect = self.to_inspect, []
        self.cases = {}
        for lot in lots:
            if lot.affected and not lot.rework:
                # Sampled hardness straddles the limit: alternate lots pass barely or fail.
                held = len(self.incident.passed_lots) > len(self.incident.held_lots)
                hardness = self.rng.uniform(55.5, 57.8) if held else self.rng.uniform(58.05, 58.6)
                (self.incident.held_lots if held else self.incident.passed_lots).append(lot.uri)
            elif not lot.rework and self.rng.random() < 0.015:
                hardness = self.rng.uniform(56.0, 57.9)
            else:
                hardness = self.rng.uniform(59.0, 62.0)
            conformant = hardness >= HARDNESS_MIN_HRC
            self.emit(
                self.at(9.0, 180),
                {
                    "type": "ObjectEvent",
                    "action": "OBSERVE",
                    "quantityList": [{"epcClass": lot.uri, "quantity": lot.pieces}],
                    "bizStep": "inspecting",
                    "disposition": "conformant" if conformant else "non_conformant",
                    "readPoint": {"id": sgln(GEAR_GCP, "0014", f"QC{lot.line % 4 + 1:02d}")},
                    "bizLocation": {"id": QC_LAB},
                    "sensorElementList": [
                        {
                            "sensorReport": [
                                {"type": "gp:SurfaceHardness", "value": round(hardness, 1)},
                                {
                                    "type": "gp:CaseDepth",
                                    "value": round(self.rng.uniform(0.8, 1.1), 2),
                                    "uom": "MMT",
                                },
                            ]
                        }
                    ],
                },
            )
            if conformant:
                self.pack(lot)
            elif not lot.affected:
                self.rework(lot)

    def rework(self, lot: _Lot) -> None:
        """A failed lot goes through furnace F001 again and is inspected the next day."""
        lot.rework = True
        redone = self.furnace_run([lot], 0, lot.uri.rsplit(".", 1)[1] + "R", lot.line)
        redone.rework = True

    def pack(self, lot: _Lot) -> None:
        self.cases.setdefault(lot.line, [])
        left = lot.pieces
        moment = self.at(13.0, 240)
        if self.rng.random() < 0.1:
            serials = [f"{SERIAL_GEAR}{lot.uri.rsplit('.', 1)[1]}{n:02d}" for n in range(24)]
            self.emit(
                moment,
                {
                    "type": "TransformationEvent",
                    "inputQuantityList": [{"epcClass": lot.uri, "quantity": SERIAL_CASE}],
                    "outputEPCList": serials,
                    "bizStep": "commissioning",
                    "disposition": "active",
                    "readPoint": {"id": sgln(GEAR_GCP, "0015", "LSR01")},
                    "bizLocation": {"id": WAREHOUSE},
                },
            )
            self.case(lot.line, moment, [], serials, {lot.uri} if lot.affected else set())
            left -= SERIAL_CASE
        carried = self.remainders.pop(lot.line, None)
        if carried is not None:
            first, pieces = carried
            filled = min(CASE_PIECES - pieces, left)
            affected = {x.uri for x in (first, lot) if x.affected}
            self.case(lot.line, moment, [(first.uri, pieces), (lot.uri, filled)], [], affected)
            left -= filled
        while left >= CASE_PIECES:
            self.case(
                lot.line, moment, [(lot.uri, CASE_PIECES)], [], {lot.uri} if lot.affected else set()
            )
            left -= CASE_PIECES
        if left:
            self.remainders[lot.line] = (lot, left)

    def case(
        self,
        line: int,
        moment: datetime,
        lots: list[tuple[str, int]],
        serials: list[str],
        affected: set[str],
    ) -> None:
        uri = self.sscc("0")
        content: dict[str, Any] = {"childEPCs": serials} if serials else {}
        if lots:
            content["childQuantityList"] = [{"epcClass": u, "quantity": q} for u, q in lots]
        self.emit(
            moment + timedelta(minutes=len(self.cases[line]) + 1),
            {
                "type": "AggregationEvent",
                "parentID": uri,
                **content,
                "action": "ADD",
                "bizStep": "packing",
                "disposition": "in_progress",
                "readPoint": {"id": sgln(GEAR_GCP, "0015", f"PK{line // 4 + 1:03d}")},
                "bizLocation": {"id": WAREHOUSE},
            },
        )
        self.cases[line].append(uri)
        if affected:
            self.incident.cases[uri] = affected

    def palletise(self) -> None:
        """At 19:00 the day's cases of each line go onto pallets of twelve."""
        for line in sorted(self.cases):
            cases = self.cases[line]
            for first in range(0, len(cases), PALLET_CASES):
                pallet = _Pallet(self.sscc("1"), cases[first : first + PALLET_CASES])
                self.emit(
                    self.at(19.0, 60),
                    {
                        "type": "AggregationEvent",
                        "parentID": pallet.uri,
                        "childEPCs": pallet.cases,
                        "action": "ADD",
                        "bizStep": "packing",
                        "disposition": "in_progress",
                        "readPoint": {"id": sgln(GEAR_GCP, "0015", f"PL{line // 4 + 1:03d}")},
                        "bizLocation": {"id": WAREHOUSE},
                    },
                )
                self.pallets.append(pallet)
                if any(c in self.incident.cases for c in pallet.cases):
                    self.incident.pallets.add(pallet.uri)

    def repack(self, pallets: list[_Pallet]) -> None:
        """Before loading, the odd case is moved from one pallet to the next (damaged wrap)."""
        for source, target in pairwise(pallets):
            if len(source.cases) < 2 or self.rng.random() >= 0.03:
                continue
            moved = source.cases.pop()
            moment = self.at(14.0, 60)
            for pallet, action, step in (
                (source, "DELETE", "unpacking"),
                (target, "ADD", "repackaging"),
            ):
                self.emit(
                    moment,
                    {
                        "type": "AggregationEvent",
                        "parentID": pallet.uri,
                        "childEPCs": [moved],
                        "action": action,
                        "bizStep": step,
                        "disposition": "in_progress",
                        "readPoint": {"id": sgln(GEAR_GCP, "0015", "RPK01")},
                        "bizLocation": {"id": WAREHOUSE},
                    },
                )
                moment += timedelta(minutes=3)
            target.cases.append(moved)
            if moved in self.incident.cases:
                self.incident.pallets.add(target.uri)

    def ship(self) -> None:
        """Yesterday's pallets leave at 16:00 in trucks of twenty, against the month's PO."""
        pallets, self.pallets = self.pallets, []
        self.repack(pallets)
        order = f"urn:epcglobal:cbv:bt:{gln(EV_GCP, '0000')}:PO{self.today:%Y%m}"
        for first in range(0, len(pallets), TRUCK_PALLETS):
            load = pallets[first : first + TRUCK_PALLETS]
            self.truck_count += 1
            advice = f"urn:epcglobal:cbv:bt:{gln(GEAR_GCP, '0000')}:DA{self.truck_count:07d}"
            uris = [p.uri for p in load]
            self.emit(
                self.at(16.0, 30),
                {
                    "type": "ObjectEvent",
                    "action": "OBSERVE",
                    "epcList": uris,
                    "bizStep": "shipping",
                    "disposition": "in_transit",
                    "readPoint": {"id": GEAR_DOCK},
                    "bizLocation": {"id": WAREHOUSE},
                    "bizTransactionList": [
                        {"type": "po", "bizTransaction": order},
                        {"type": "desadv", "bizTransaction": advice},
                    ],
                    "sourceList": [{"type": "owning_party", "source": GEAR_PARTY}],
                    "destinationList": [
                        {"type": "owning_party", "destination": EV_PARTY},
                        {"type": "location", "destination": EV_STORES},
                    ],
                },
            )
            for pallet in load:
                lots = set().union(*(self.incident.cases.get(c, ()) for c in pallet.cases))
                if lots:
                    self.incident.shipped_pallets.add(pallet.uri)
                    self.incident.shipped_lots |= lots
                    self.incident.despatch_advices.add(advice)
            self.trucks.append((uris, order, advice))

    def receive_trucks(self) -> None:
        """The EV maker scans yesterday's trucks in at 09:00 (GS1 Digital Links on the labels)."""
        trucks, self.trucks = self.trucks, []
        for uris, order, advice in trucks:
            self.emit(
                self.at(9.0, 60),
                {
                    "type": "ObjectEvent",
                    "action": "OBSERVE",
                    "epcList": [to_digital_link(uri) for uri in uris],
                    "bizStep": "receiving",
                    "disposition": "in_progress",
                    "readPoint": {"id": EV_DOCK},
                    "bizLocation": {"id": EV_STORES},
                    "bizTransactionList": [
                        {"type": "po", "bizTransaction": order},
                        {"type": "desadv", "bizTransaction": advice},
                    ],
                    "sourceList": [{"type": "owning_party", "source": GEAR_PARTY}],
                    "destinationList": [{"type": "owning_party", "destination": EV_PARTY}],
                },
                owner=EV,
            )
