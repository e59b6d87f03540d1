"""Made-up names for the generated data: places, organisations, streams and their outputs.
Every organisation is illustrative (no real body), and every org-id is in a range no real
organisation has (ZZ local authority codes, 9-prefixed charity and school numbers)."""

import random

from tracker.domain.regions import ENGLISH_REGIONS

PLACES_A = [
    "Ash",
    "Bram",
    "Cold",
    "Dun",
    "Elm",
    "Fern",
    "Glen",
    "Hart",
    "Ivy",
    "King",
    "Lang",
    "Mill",
    "North",
    "Oak",
    "Pen",
    "Red",
    "Stan",
    "Thorn",
    "Up",
    "West",
    "Whit",
    "Yarn",
]
PLACES_B = [
    "bury",
    "field",
    "ford",
    "ham",
    "ley",
    "mouth",
    "stead",
    "ton",
    "wick",
    "worth",
    "bridge",
    "combe",
]
REGIONS = ENGLISH_REGIONS  # the generator places organisations in England
CAUSES = [
    "Women's Aid",
    "Young People's Trust",
    "Family Support",
    "Recovery Network",
    "Safe Haven",
    "Youth Project",
    "Advocacy Service",
    "Community Foundation",
]
THEMES = [
    (
        "Domestic abuse safe accommodation",
        [
            ("households", "Households supported", "households"),
            ("bed_nights", "Bed nights provided", "nights"),
        ],
    ),
    (
        "Child exploitation prevention",
        [
            ("young_people", "Young people supported", "people"),
            ("referrals", "Referrals received", "referrals"),
            ("staff_trained", "Staff trained", "people"),
        ],
    ),
    (
        "Social workers in schools",
        [
            ("schools", "Schools with a social worker", "schools"),
            ("consultations", "Consultations held", "consultations"),
        ],
    ),
    (
        "Modern slavery victim support",
        [
            ("victims", "Victims supported", "people"),
            ("advocacy_hours", "Hours of advocacy", "hours"),
        ],
    ),
    (
        "Perpetrator behaviour change",
        [
            ("perpetrators", "Perpetrators engaged", "people"),
            ("completions", "Programmes completed", "people"),
        ],
    ),
    (
        "Sexual violence counselling",
        [
            ("clients", "Clients counselled", "people"),
            ("sessions", "Sessions delivered", "sessions"),
            ("waiting_days", "Days of wait cut", "days"),
        ],
    ),
    (
        "Early help for families",
        [
            ("families", "Families helped", "families"),
            ("assessments", "Assessments completed", "assessments"),
        ],
    ),
    (
        "Online harms awareness",
        [("pupils", "Pupils reached", "people"), ("resources", "Resources published", "resources")],
    ),
]
STREAM_KINDS = ["fund", "grant", "programme", "pilot", "capacity fund", "innovation fund"]
PROJECT_KINDS = [
    "outreach service",
    "helpline",
    "refuge places",
    "training programme",
    "school-based team",
    "peer support groups",
    "specialist caseworkers",
    "awareness campaign",
]
TYPES = [
    ("charity", 55),
    ("school or trust", 20),
    ("local authority", 12),
    ("police force", 3),
    ("other", 10),
]


def place(n: int) -> str:
    return PLACES_A[n % len(PLACES_A)] + PLACES_B[n // len(PLACES_A) % len(PLACES_B)]


def _letters(n: int, width: int) -> str:
    out = ""
    for _ in range(width):
        out = chr(ord("A") + n % 26) + out
        n //= 26
    return out


def organisation(rng: random.Random, n: int) -> dict:
    kind = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
    where = place(rng.randrange(len(PLACES_A) * len(PLACES_B)))
    la_code = ""
    if kind == "charity":
        name, org_id = f"{where} {rng.choice(CAUSES)}", f"GB-CHC-9{n:06d}"
    elif kind == "school or trust":
        name = f"{where} {rng.choice(['Academy Trust', 'Learning Partnership', 'High School'])}"
        org_id = f"GB-EDU-9{n:06d}"
    elif kind == "local authority":
        name = f"{where} {rng.choice(['Borough Council', 'City Council', 'County Council'])}"
        org_id, la_code = f"GB-LAE-Z{_letters(n, 3)}", f"E9{n:07d}"
    elif kind == "police force":
        name, org_id = f"{where} Police", f"GB-GOR-PZ{n:04d}"
    else:
        name, org_id = f"{where} Community Interest Company", f"GB-COH-ZB{n:06d}"
    return {
        "index": n,
        "name": name,
        "type": kind,
        "org_id": org_id,
        "region": rng.choice(REGIONS),
        "local_authority_code": la_code,
        "place": where,
    }


def stream_theme(rng: random.Random) -> tuple[str, list[tuple[str, str, str]]]:
    theme, indicators = rng.choice(THEMES)
    return theme, list(indicators)


def slug(n: int) -> str:
    return f"org-{n + 1:05d}"
