"""Write examples/companies.jsonl: plausible, synthetic companies (name and website).

Deterministic (fixed seed, no network), so the file is the same on every machine:
    python examples/make_companies.py [--count 1000] [--out examples/companies.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import random

_FIRST = [
    "Acme",
    "Apex",
    "Arbor",
    "Atlas",
    "Aurora",
    "Beacon",
    "Birch",
    "Blue Heron",
    "Bright",
    "Cedar",
    "Cobalt",
    "Copper",
    "Crescent",
    "Crown",
    "Delta",
    "Ember",
    "Evergreen",
    "Falcon",
    "Fjord",
    "Granite",
    "Harbor",
    "Horizon",
    "Iron",
    "Juniper",
    "Keystone",
    "Lark",
    "Lumen",
    "Maple",
    "Meridian",
    "Summit",
    "Northwind",
    "Nova",
    "Oak",
    "Onyx",
    "Orchard",
    "Pacific",
    "Pine",
    "Prairie",
    "Quartz",
    "Raven",
    "Redwood",
    "Ridge",
    "River",
    "Sable",
    "Sage",
    "Sierra",
    "Silver",
    "Sterling",
    "Stone",
    "Tandem",
    "Tidal",
    "Timber",
    "Vector",
    "Verde",
    "Willow",
    "Zenith",
]
_SECOND = [
    "Analytics",
    "Bio",
    "Cloud",
    "Data",
    "Dynamics",
    "Energy",
    "Foods",
    "Freight",
    "Health",
    "Labs",
    "Logistics",
    "Materials",
    "Media",
    "Medical",
    "Mobility",
    "Networks",
    "Outdoor",
    "Pay",
    "Robotics",
    "Security",
    "Software",
    "Solar",
    "Systems",
    "Therapeutics",
    "Textiles",
    "Ventures",
    "Water",
    "Works",
]
_SUFFIX = ["", "", "", " Inc.", " Ltd.", " Co.", " Group", " Technologies", " Holdings", " GmbH"]
_TLD = [".com", ".com", ".com", ".io", ".ai", ".co", ".net", ".de", ".co.uk"]


def companies(count: int, seed: int = 20240901) -> list[dict[str, str]]:
    """`count` distinct companies, the same for the same seed."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    while len(out) < count:
        base = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}"
        if base in seen:
            base = f"{base} {rng.choice(['North', 'West', 'East', 'South', 'Global', 'One'])}"
        if base in seen:
            continue
        seen.add(base)
        domain = base.lower().replace(" ", "") + rng.choice(_TLD)
        out.append(
            {"company_name": base + rng.choice(_SUFFIX), "company_website": f"https://{domain}"}
        )
    return out


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--out", default=os.path.join(here, "companies.jsonl"))
    args = parser.parse_args()
    with open(args.out, "w", encoding="utf-8") as handle:
        for company in companies(args.count):
            handle.write(json.dumps(company) + "\n")
    print(f"wrote {args.count} companies to {args.out}")


if __name__ == "__main__":
    main()
