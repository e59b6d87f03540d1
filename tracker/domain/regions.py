"""Where a grantee works: the nine ONS regions of England (the International Territorial Level 1
regions), the three other nations, and "National" for a body working across the UK."""

ENGLISH_REGIONS = [
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
]
REGIONS = [*ENGLISH_REGIONS, "Wales", "Scotland", "Northern Ireland", "National"]
