"""Build the embedded snapshot from the real-data collection in ``../shared/data``.

Every file goes through carrywatch's own parsers (the same code that reads the live
providers); every value keeps its provenance: the publisher, the original series code,
the repository file it came from (repository, commit, path) and the file's sha256.

Where a repository re-saved a provider's file in its own layout (``date,value`` for a
FRED series, Yahoo's OHLC table, a derived CFTC JSON), the matching parser reads it as
it is; nothing is converted by hand. Files of the same series are ingested oldest
capture first, so that a later capture's differing value is kept as a revision.

``retrieved_at`` of a file is its commit date when the collection records it; otherwise
the date of its last observation (the earliest it can have been captured), and the
manifest says which basis was used.

Usage::

    python scripts/build_snapshot.py [--shared ../shared] [--out src/carrywatch/snapshot/data]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from carrywatch.catalog.events import boj_policy_rate_decisions
from carrywatch.catalog.spec import Catalog, load_catalog
from carrywatch.errors import CarrywatchError
from carrywatch.frames import observations_frame
from carrywatch.snapshot.artefact import SnapshotEntry, write_snapshot
from carrywatch.sources.base import load_json, to_float
from carrywatch.sources.estat_cpi import EStatCpi
from carrywatch.sources.fedwatch_history import PARSE_VERSION as FEDWATCH_PARSE_VERSION
from carrywatch.sources.fedwatch_history import parse_fedwatch_history
from carrywatch.sources.fred import FredGraph
from carrywatch.sources.japan_mof import JapanMof
from carrywatch.sources.table import PARSE_VERSION as TABLE_PARSE_VERSION
from carrywatch.sources.table import parse_table_csv
from carrywatch.sources.tic import TicHolders
from carrywatch.sources.ustreasury import TreasuryParCurve
from carrywatch.sources.venue_quotes import PARSE_VERSION as QUOTES_PARSE_VERSION
from carrywatch.sources.venue_quotes import parse_venue_quotes
from carrywatch.types import FetchRequest, ParsedFrame, RawPayload, sha256_hex

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared"
DEFAULT_OUT = ROOT / "src" / "carrywatch" / "snapshot" / "data"


@dataclass(frozen=True, slots=True)
class Repo:
    """A public repository snapshot the collection copied files from."""

    name: str
    commit: str
    committed: str | None  # YYYY-MM-DD when the collection records it


XINYU = Repo(
    "XinyuLiu2403/acc102-macro-dashboard", "6d3e6faafd500b0c4f9b17bb0b80d5dea55f2acf", "2026-04-27"
)
MERLIN = Repo(
    "miguel-merlin/etf-directional-forecasting",
    "b3b583b10cce9a29cb97ab65d08f5854c0ffd001",
    "2026-02-09",
)
JELLY = Repo("Jellydidy/macro-watch", "2ef008d2df180d392962bc83e774bbc46c3bf767", "2026-08-21")
MULET = Repo(
    "JoaquinMulet/treasury-desk-chile-usa", "bb4f8dc31fe78c5df5b1922374ce21d4c77a6b17", "2026-07-23"
)
JONS_FRED = Repo("jonsflow/risk-model", "85a556e2b7949e9ddd137cfc08316a4f4d71d2ee", "2026-06-05")
JONS_YAHOO = Repo("jonsflow/risk-model", "f6b08eb221200c4f995e39816c9d5119d165119e", "2026-06-05")
STEF = Repo("Thecoderstef/Macro-Charts", "02759683bf1546aee000eb3280ed8afbe240e9ef", "2026-07-30")
SIVAM = Repo(
    "sivamsapingali/Codex_Macro-Monitor", "7fb97556145cd3604b1caab9002193df4f3eee07", "2026-01-03"
)
BONG = Repo("Bongsujung/ixic_linear", "d8b90a2f71f77d100c0cb031ef2546ea9c42080c", "2025-05-08")
ALONSO = Repo("AlonsoZeng/usdebt", "b6b683cfc8b46a2cd7d0f48e8bc0e4f51ad723e1", "2025-04-06")
BROU = Repo("brouprats/TFG", "78916eed7379375e28d593708244adb853672863", "2026-06-09")
SHAURYA = Repo("shauryaleekha/applied_project", "293b9908f508dcb3bfaf88e8df69f7392391e083", None)
SHO = Repo("sho3690/matrix-quant-pages", "5ef62e00ea2af1186381c09fea8e7a1bc1534cf8", "2026-07-09")
DEERFIELD = Repo(
    "deerfieldgreen/us-department-treasury",
    "e5688e50e84a2b90ae8ebc1038091f29e0285278",
    "2025-07-12",
)
FREDPIPI = Repo("Fredpipi/fed-tga-rrp-liquidity", "0030ed705be75d54d08a52dce0724612b00b7aab", None)
TASO = Repo(
    "taso5789/F24-STAT-5000-Final-Project", "adfc7f1d121d449cf3b7f128c1bfb439286fcc7f", "2024-12-09"
)
DIMUTHU = Repo(
    "DimuthuAttanayake/US_foreign_debt", "f3c5de73a5290e33f2cfa243729ed2fa3d4d4528", "2026-04-12"
)
KITTA = Repo(
    "kittabunj-tech/yen-carry-monitor", "100a40236615964acec898a09baaa6a01983846f", "2026-08-22"
)
NEO = Repo(
    "ifesiTinkering/neo-journalism", "ae1542f0db6f24bca3692341050de5ee25c3be29", "2026-01-18"
)
ZUOWOOD = Repo(
    "zuowood1234/cme-fedwatch-tracker", "82d23bef1d82618095649e1320fdad6c6afb13ec", "2026-08-22"
)
MGUTEN = Repo("Mguten/fedwatch-vs-polymarket", "04b15bcd1e7d9f911630d5f3afcbb0a6945d4115", None)
#: The FOMC decision whose "no change" outcome the two-venue quote file follows (its folder
#: name, ``results/no_change``, and PROVENANCE.md section 12 say so).
NOCHANGE_MEETING = "2025-12-10"
#: The file that names Polymarket's event for each FOMC meeting (Gamma event ids).
POLYMARKET_EVENTS = "fedwatch/Mguten__fedwatch-vs-polymarket/polymarket_fomc_match_review.csv"

Parser = Callable[[RawPayload], ParsedFrame]


@dataclass(frozen=True, slots=True)
class SharedFile:
    """One file of ``shared/data`` and how to read it."""

    shared_path: str
    repo: Repo
    repo_path: str
    source: str  # the carrywatch source whose parser reads it
    codes: tuple[str, ...]  # remote codes to take from it; empty: every code it gives
    publisher: str
    original_url: str
    parser: str = "source"  # "source" | "table" | "cftc_history" | "venue_quotes" | "fedwatch"
    value_column: str | None = None


def _fred(shared: str, repo: Repo, repo_path: str, code: str, publisher: str) -> SharedFile:
    return SharedFile(
        shared_path=shared,
        repo=repo,
        repo_path=repo_path,
        source="fred",
        codes=(code,),
        publisher=publisher,
        original_url=f"https://fred.stlouisfed.org/series/{code}",
    )


FRB = "Board of Governors of the Federal Reserve System (via FRED)"
NYFED = "Federal Reserve Bank of New York (via FRED)"
BLS = "US Bureau of Labor Statistics (via FRED)"
BEA = "US Bureau of Economic Analysis (via FRED)"

FILES: tuple[SharedFile, ...] = (
    # FRED, original downloads and re-saved copies (oldest capture first per series).
    _fred(
        "fred/XinyuLiu2403__acc102-macro-dashboard/DGS10.csv", XINYU, "data/DGS10.csv", "DGS10", FRB
    ),
    _fred("fred/Jellydidy__macro-watch/DGS10.csv", JELLY, "data/fred/DGS10.csv", "DGS10", FRB),
    _fred(
        "fred/XinyuLiu2403__acc102-macro-dashboard/DGS2.csv", XINYU, "data/DGS2.csv", "DGS2", FRB
    ),
    _fred("fred/Jellydidy__macro-watch/DGS2.csv", JELLY, "data/fred/DGS2.csv", "DGS2", FRB),
    _fred(
        "fred/JoaquinMulet__treasury-desk-chile-usa/DGS3MO.csv",
        MULET,
        "data/fred/DGS3MO.csv",
        "DGS3MO",
        FRB,
    ),
    _fred(
        "fred/JoaquinMulet__treasury-desk-chile-usa/DFF.csv", MULET, "data/fred/DFF.csv", "DFF", FRB
    ),
    _fred("fred/jonsflow__risk-model/EFFR.csv", JONS_FRED, "data/fred/EFFR.csv", "EFFR", NYFED),
    _fred(
        "fred/jonsflow__risk-model/DFEDTARU.csv",
        JONS_FRED,
        "data/fred/DFEDTARU.csv",
        "DFEDTARU",
        FRB,
    ),
    _fred(
        "fred/jonsflow__risk-model/DFEDTARL.csv",
        JONS_FRED,
        "data/fred/DFEDTARL.csv",
        "DFEDTARL",
        FRB,
    ),
    _fred("fred/jonsflow__risk-model/IORB.csv", JONS_FRED, "data/fred/IORB.csv", "IORB", FRB),
    _fred(
        "fred/miguel-merlin__etf-directional-forecasting/DEXJPUS.csv",
        MERLIN,
        "data/macro/DEXJPUS.csv",
        "DEXJPUS",
        FRB,
    ),
    _fred(
        "fred/miguel-merlin__etf-directional-forecasting/WALCL.csv",
        MERLIN,
        "data/macro/WALCL.csv",
        "WALCL",
        FRB,
    ),
    _fred("fred/jonsflow__risk-model/WALCL.csv", JONS_FRED, "data/fred/WALCL.csv", "WALCL", FRB),
    _fred("fred/Thecoderstef__Macro-Charts/WALCL.csv", STEF, "data/WALCL.csv", "WALCL", FRB),
    _fred(
        "fred/jonsflow__risk-model/RRPONTSYD.csv",
        JONS_FRED,
        "data/fred/RRPONTSYD.csv",
        "RRPONTSYD",
        NYFED,
    ),
    _fred(
        "fred/Thecoderstef__Macro-Charts/RRPONTSYD.csv",
        STEF,
        "data/RRPONTSYD.csv",
        "RRPONTSYD",
        NYFED,
    ),
    _fred("fred/AlonsoZeng__usdebt/WTREGEN.csv", ALONSO, "WTREGEN.csv", "WTREGEN", FRB),
    _fred("fred/Thecoderstef__Macro-Charts/M2SL.csv", STEF, "data/M2SL.csv", "M2SL", FRB),
    _fred(
        "fred/XinyuLiu2403__acc102-macro-dashboard/NASDAQCOM.csv",
        XINYU,
        "data/NASDAQCOM.csv",
        "NASDAQCOM",
        "Nasdaq OMX Group (via FRED)",
    ),
    _fred(
        "fred/Jellydidy__macro-watch/NASDAQCOM.csv",
        JELLY,
        "data/fred/NASDAQCOM.csv",
        "NASDAQCOM",
        "Nasdaq OMX Group (via FRED)",
    ),
    _fred(
        "fred/sivamsapingali__Codex_Macro-Monitor/SP500.csv",
        SIVAM,
        "data/SP500.csv",
        "SP500",
        "S&P Dow Jones Indices (via FRED)",
    ),
    _fred(
        "fred/XinyuLiu2403__acc102-macro-dashboard/SP500.csv",
        XINYU,
        "data/SP500.csv",
        "SP500",
        "S&P Dow Jones Indices (via FRED)",
    ),
    _fred(
        "fred/jonsflow__risk-model/VIXCLS.csv",
        JONS_FRED,
        "data/fred/VIXCLS.csv",
        "VIXCLS",
        "Chicago Board Options Exchange (via FRED)",
    ),
    _fred(
        "fred/Bongsujung__ixic_linear/CBBTCUSD.csv",
        BONG,
        "data/CBBTCUSD.csv",
        "CBBTCUSD",
        "Coinbase (via FRED)",
    ),
    _fred(
        "fred/XinyuLiu2403__acc102-macro-dashboard/CPIAUCSL.csv",
        XINYU,
        "data/CPIAUCSL.csv",
        "CPIAUCSL",
        BLS,
    ),
    _fred(
        "fred/jonsflow__risk-model/CPIAUCSL.csv",
        JONS_FRED,
        "data/fred/CPIAUCSL.csv",
        "CPIAUCSL",
        BLS,
    ),
    _fred(
        "fred/Thecoderstef__Macro-Charts/CPIAUCSL.csv", STEF, "data/CPIAUCSL.csv", "CPIAUCSL", BLS
    ),
    _fred(
        "fred/jonsflow__risk-model/PCEPILFE.csv",
        JONS_FRED,
        "data/fred/PCEPILFE.csv",
        "PCEPILFE",
        BEA,
    ),
    _fred(
        "fred/Thecoderstef__Macro-Charts/PCEPILFE.csv", STEF, "data/PCEPILFE.csv", "PCEPILFE", BEA
    ),
    _fred(
        "fred/miguel-merlin__etf-directional-forecasting/GDPC1.csv",
        MERLIN,
        "data/macro/GDPC1.csv",
        "GDPC1",
        BEA,
    ),
    _fred("fred/Thecoderstef__Macro-Charts/GDPC1.csv", STEF, "data/GDPC1.csv", "GDPC1", BEA),
    _fred(
        "fred/shauryaleekha__applied_project/JPNRGDPEXP.csv",
        SHAURYA,
        "data/JPNRGDPEXP.csv",
        "JPNRGDPEXP",
        "Cabinet Office of Japan / OECD (via FRED)",
    ),
    _fred(
        "fred/miguel-merlin__etf-directional-forecasting/GFDEBTN.csv",
        MERLIN,
        "data/macro/GFDEBTN.csv",
        "GFDEBTN",
        "US Department of the Treasury (via FRED)",
    ),
    _fred(
        "fred/brouprats__TFG/IRSTCI01JPM156N.csv",
        BROU,
        "IRSTCI01JPM156N.csv",
        "IRSTCI01JPM156N",
        "OECD Main Economic Indicators (via FRED)",
    ),
    # Providers' own file formats.
    SharedFile(
        "mof/jgbcm_all.csv",
        SHO,
        "data/jgbcm_all.csv",
        "japan_mof",
        (
            "1Y",
            "2Y",
            "3Y",
            "4Y",
            "5Y",
            "6Y",
            "7Y",
            "8Y",
            "9Y",
            "10Y",
            "15Y",
            "20Y",
            "25Y",
            "30Y",
            "40Y",
        ),
        "Ministry of Finance, Japan",
        "https://www.mof.go.jp/jgbs/reference/interest_rate/data/jgbcm_all.csv",
    ),
    SharedFile(
        "treasury/daily-treasury-rates.csv",
        DEERFIELD,
        "data/daily-treasury-rates.csv",
        "ustreasury",
        (
            "BC_1MONTH",
            "BC_1_5MONTH",
            "BC_2MONTH",
            "BC_3MONTH",
            "BC_4MONTH",
            "BC_6MONTH",
            "BC_1YEAR",
            "BC_2YEAR",
            "BC_3YEAR",
            "BC_5YEAR",
            "BC_7YEAR",
            "BC_10YEAR",
            "BC_20YEAR",
            "BC_30YEAR",
        ),
        "US Department of the Treasury",
        "https://home.treasury.gov/resource-center/data-chart-center/interest-rates/TextView?type=daily_treasury_yield_curve",
    ),
    SharedFile(
        "tic/mfhhis01.txt",
        DIMUTHU,
        "mfhhis01.txt",
        "tic",
        (
            "Japan",
            "China, Mainland",
            "United Kingdom",
            "Belgium",
            "Canada",
            "Luxembourg",
            "Cayman Islands",
            "Switzerland",
            "Taiwan",
            "Grand Total",
            "For. Official",
        ),
        "US Department of the Treasury (TIC)",
        "https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/mfhhis01.txt",
    ),
    SharedFile(
        "japan_stat/zmi2020s.csv",
        TASO,
        "data/zmi2020s.csv",
        "estat",
        ("0001", "0161", "0178"),
        "Statistics Bureau of Japan (e-Stat)",
        "https://www.e-stat.go.jp/",
    ),
    # Re-saved tables read by the table parser.
    SharedFile(
        "treasury/tga.csv",
        FREDPIPI,
        "data/tga.csv",
        "fiscaldata",
        ("TGA_CLOSE",),
        "US Department of the Treasury, Bureau of the Fiscal Service (Daily Treasury Statement)",
        "https://api.fiscaldata.treasury.gov/services/api/fiscal_service/v1/accounting/dts/operating_cash_balance",
        parser="table",
        value_column="tga_usd_mn",
    ),
    SharedFile(
        "yahoo/jonsflow__risk-model/usdjpy.csv",
        JONS_YAHOO,
        "data/usdjpy.csv",
        "yahoo",
        ("JPY=X",),
        "Yahoo Finance",
        "https://finance.yahoo.com/quote/JPY=X",
        parser="table",
        value_column="Close",
    ),
    SharedFile(
        "yahoo/jonsflow__risk-model/btc.csv",
        JONS_YAHOO,
        "data/btc.csv",
        "yahoo",
        ("BTC-USD",),
        "Yahoo Finance",
        "https://finance.yahoo.com/quote/BTC-USD",
        parser="table",
        value_column="Close",
    ),
    SharedFile(
        "yahoo/jonsflow__risk-model/tlt.csv",
        JONS_YAHOO,
        "data/tlt.csv",
        "yahoo",
        ("TLT",),
        "Yahoo Finance",
        "https://finance.yahoo.com/quote/TLT",
        parser="table",
        value_column="Close",
    ),
    # A repository's derived JSON of the CFTC legacy futures-only report.
    SharedFile(
        "cftc/yen-carry-monitor_cot_history.json",
        KITTA,
        "data/cot_history.json",
        "cftc",
        (
            "097741:noncomm_positions_long_all",
            "097741:noncomm_positions_short_all",
            "097741:noncomm_net",
        ),
        "US Commodity Futures Trading Commission (legacy futures-only report, dataset 6dca-aqww)",
        "https://publicreporting.cftc.gov/resource/6dca-aqww.json",
        parser="cftc_history",
    ),
    # Policy odds: two prediction markets' quotes of one outcome, CME's published FedWatch.
    SharedFile(
        "prediction_markets/ifesiTinkering__neo-journalism/fed_nochange_30min_preprocessed.csv",
        NEO,
        "results/no_change/fed_nochange_30min_preprocessed.csv",
        "venue_quotes",
        (f"polymarket:{NOCHANGE_MEETING}:hold", f"kalshi:{NOCHANGE_MEETING}:hold"),
        "Polymarket and Kalshi (order-book mid prices, sampled about every 30 minutes)",
        "https://gamma-api.polymarket.com/events/35090",
        parser="venue_quotes",
    ),
    SharedFile(
        "fedwatch/zuowood1234__cme-fedwatch-tracker/fedwatch_history.csv",
        ZUOWOOD,
        "data/fedwatch_history.csv",
        "cme_fedwatch",
        (),
        "CME Group (FedWatch tool, as published; ZQ mid prices as shown by it)",
        "https://www.cmegroup.com/markets/interest-rates/cme-fedwatch-tool.html",
        parser="fedwatch",
    ),
)

#: FRED's CBBTCUSD is Coinbase's price; the catalog's live source for it is Coinbase.
CODE_ALIASES = {("fred", "CBBTCUSD"): ("coinbase", "BTC-USD")}

SOURCE_PARSERS: dict[str, Parser] = {
    "fred": FredGraph().parse,
    "japan_mof": JapanMof().parse,
    "ustreasury": TreasuryParCurve().parse,
    "tic": TicHolders().parse,
    "estat": EStatCpi().parse,
}
SOURCE_PARSE_VERSIONS = {
    "cftc_history": 1,
    "table": TABLE_PARSE_VERSION,
    "venue_quotes": QUOTES_PARSE_VERSION,
    "fedwatch": FEDWATCH_PARSE_VERSION,
}


def parse_cftc_history(body: bytes) -> ParsedFrame:
    """Rows from ``{"reports": [{"report_date", "noncomm_long", "noncomm_short",
    "net_speculative"}]}`` (the repository's derived legacy-report JSON).

    The net is taken as published in the file and checked against long - short.
    """
    document = load_json(body, source="cftc")
    if not isinstance(document, dict) or not isinstance(document.get("reports"), list):
        raise CarrywatchError("cftc history: expected an object with a 'reports' list")
    codes: list[str] = []
    dates: list[str] = []
    values: list[float] = []
    for report in document["reports"]:
        day = str(report["report_date"])[:10]
        long_ = to_float(report["noncomm_long"], source="cftc", where=day)
        short = to_float(report["noncomm_short"], source="cftc", where=day)
        net = to_float(report["net_speculative"], source="cftc", where=day)
        if net != long_ - short:
            raise CarrywatchError(f"cftc history {day}: net {net} != long - short {long_ - short}")
        for code, value in (
            ("097741:noncomm_positions_long_all", long_),
            ("097741:noncomm_positions_short_all", short),
            ("097741:noncomm_net", net),
        ):
            codes.append(code)
            dates.append(day)
            values.append(value)
    frame = observations_frame("cftc", codes, pd.to_datetime(pd.Series(dates)), values)
    return ParsedFrame(
        source="cftc", rows=frame, parse_version=SOURCE_PARSE_VERSIONS["cftc_history"]
    )


def _parse(spec: SharedFile, body: bytes, retrieved: datetime) -> ParsedFrame:
    if spec.parser == "table":
        return parse_table_csv(
            body, source=spec.source, value_column=spec.value_column, remote_code=spec.codes[0]
        )
    if spec.parser == "cftc_history":
        return parse_cftc_history(body)
    if spec.parser == "venue_quotes":
        return parse_venue_quotes(
            body, meeting=datetime.fromisoformat(NOCHANGE_MEETING).date(), outcome="hold"
        )
    if spec.parser == "fedwatch":
        return parse_fedwatch_history(body)
    payload = RawPayload(
        request=FetchRequest(source=spec.source, url=spec.original_url, remote_codes=spec.codes),
        body=body,
        status=200,
        media_type="text/csv",
        retrieved_at=retrieved,
    )
    return SOURCE_PARSERS[spec.source](payload)


def _series_for(catalog: Catalog, source: str, code: str) -> list[str]:
    source, code = CODE_ALIASES.get((source, code), (source, code))
    return [s.id for s in catalog.series.values() if s.source == source and s.remote_code == code]


def build(shared: Path, catalog: Catalog) -> tuple[list[SnapshotEntry], pd.DataFrame]:
    """Entries and observations of the snapshot, from ``shared`` (the collection root)."""
    entries: list[SnapshotEntry] = []
    frames: list[pd.DataFrame] = []
    for spec in FILES:
        body = (shared / "data" / spec.shared_path).read_bytes()
        parsed = _parse(spec, body, datetime(2000, 1, 1, tzinfo=UTC))
        rows = parsed.rows
        if spec.repo.committed is not None:
            retrieved, basis = spec.repo.committed, "commit date of the file's repository snapshot"
        else:
            retrieved = pd.Timestamp(rows["obs_date"].max()).strftime("%Y-%m-%d")
            basis = "last observation date (the repository commit date is not recorded)"
        key = spec.shared_path
        fed: dict[str, list[str]] = {}
        for code in spec.codes or tuple(sorted(rows["remote_code"].unique())):
            chosen = rows[rows["remote_code"] == code]
            series_ids = _series_for(catalog, spec.source, code)
            if chosen.empty or not series_ids:
                raise SystemExit(f"{spec.shared_path}: no rows or no series for code {code!r}")
            fed[code] = series_ids
            for sid in series_ids:
                part = pd.DataFrame(
                    {
                        "fetch_key": key,
                        "series_id": sid,
                        "obs_date": chosen["obs_date"],
                        "value": chosen["value"],
                    }
                )
                if "known_from" in chosen.columns:  # intraday quotes: known from their moment
                    part["known_from"] = chosen["known_from"]
                frames.append(part)
        entries.append(
            SnapshotEntry(
                key=key,
                source=spec.source,
                url=f"https://github.com/{spec.repo.name}/blob/{spec.repo.commit}/{spec.repo_path}",
                retrieved_at=f"{retrieved}T00:00:00Z",
                sha256=sha256_hex(body),
                n_bytes=len(body),
                parse_version=parsed.parse_version,
                provenance={
                    "publisher": spec.publisher,
                    "original_url": spec.original_url,
                    "remote_codes": fed,
                    "repository": spec.repo.name,
                    "commit": spec.repo.commit,
                    "path": spec.repo_path,
                    "collection_file": f"shared/data/{spec.shared_path}",
                    "retrieved_at_basis": basis,
                    **dict(parsed.meta),
                    **_market_provenance(shared, spec),
                },
            )
        )
    entries_boj, frame_boj = _boj_policy_rate(catalog)
    entries.extend(entries_boj)
    frames.append(frame_boj)
    return entries, pd.concat(frames, ignore_index=True)


def _market_provenance(shared: Path, spec: SharedFile) -> dict[str, object]:
    """For the two-venue quote file: Polymarket's event for its meeting, from the file
    that matched Polymarket events to FOMC meetings (by event id; the file has no slug)."""
    if spec.parser != "venue_quotes":
        return {}
    path = shared / "data" / POLYMARKET_EVENTS
    events = pd.read_csv(path, dtype=str)
    match = events[events["matched_meeting_date"] == NOCHANGE_MEETING]
    if len(match) != 1:
        raise SystemExit(f"{POLYMARKET_EVENTS}: no single event for {NOCHANGE_MEETING}")
    row = match.iloc[0]
    return {
        "meeting": NOCHANGE_MEETING,
        "outcome": "no change (hold)",
        "quote_times": "known_from is each quote's moment (timestamp_ms, UTC)",
        "polymarket_event": {
            "id": int(row["event_id"]),
            "title": str(row["event_title"]),
            "url": f"https://gamma-api.polymarket.com/events/{row['event_id']}",
            "matched_by": f"https://github.com/{MGUTEN.name}/blob/{MGUTEN.commit}/"
            "config/polymarket_fomc_match_review.csv",
        },
        "kalshi_market": "not named in the file (Kalshi's market on the same decision)",
    }


def _boj_policy_rate(catalog: Catalog) -> tuple[list[SnapshotEntry], pd.DataFrame]:
    """``jp.boj.policy_rate`` (upper) and ``_lower`` from the decisions in events.toml."""
    decisions = boj_policy_rate_decisions(catalog.boj)
    events_text = (ROOT / "src" / "carrywatch" / "catalog" / "events.toml").read_bytes()
    entries: list[SnapshotEntry] = []
    rows: list[dict[str, object]] = []
    for decision in decisions:
        key = f"events.toml#boj-{decision.obs_date.isoformat()}"
        entries.append(
            SnapshotEntry(
                key=key,
                source="events",
                url=decision.source,
                retrieved_at=f"{decision.obs_date.isoformat()}T00:00:00Z",
                sha256=sha256_hex(events_text),
                n_bytes=len(events_text),
                parse_version=1,
                provenance={
                    "publisher": "Bank of Japan (statement on monetary policy)",
                    "catalog_file": "src/carrywatch/catalog/events.toml",
                    "retrieved_at_basis": "decision date (the statement's publication)",
                },
            )
        )
        rows.append(
            {
                "fetch_key": key,
                "series_id": "jp.boj.policy_rate",
                "obs_date": pd.Timestamp(decision.obs_date),
                "value": decision.upper_pct,
            }
        )
        rows.append(
            {
                "fetch_key": key,
                "series_id": "jp.boj.policy_rate_lower",
                "obs_date": pd.Timestamp(decision.obs_date),
                "value": decision.lower_pct,
            }
        )
    return entries, pd.DataFrame(rows, columns=["fetch_key", "series_id", "obs_date", "value"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not (args.shared / "data").is_dir():
        print(f"no data folder under {args.shared}", file=sys.stderr)
        return 2
    entries, observations = build(args.shared, load_catalog())
    write_snapshot(args.out, entries, observations)
    counts = observations.groupby("series_id").size()
    print(
        json.dumps(
            {"entries": len(entries), "observations": len(observations), "series": len(counts)}
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
