"""tracker/domain/orgids.py: an organisation identifier names a known scheme and has its shape."""

import pytest

from tracker.domain.orgids import SCHEMES, OrgIdError, check


@pytest.mark.parametrize(
    "org_id",
    [
        "GB-LAE-LBH",
        "GB-LAE-SOTN",
        "GB-LAS-EDH",
        "GB-PLA-CRF",
        "GB-LANI-BFS",
        "GB-CHC-216250",
        "GB-CHC-1234567",
        "GB-SC-SC037733",
        "GB-NIC-100012",
        "GB-COH-01234567",
        "GB-COH-SC123456",
        "GB-EDU-100001",
        "GB-EDU-1000001",
        "GB-GOR-D6",
        "GB-GOR-EA1234",
        "GB-NHS-RJ1",
        "GB-NHS-RTH123",
        "GB-MPR-12345R",
    ],
)
def test_a_well_formed_identifier_of_a_known_scheme_is_accepted_as_it_is(org_id):
    assert check(org_id) == org_id


@pytest.mark.parametrize("prefix", sorted(SCHEMES))
def test_the_example_shown_for_each_scheme_is_itself_accepted(prefix):
    example = SCHEMES[prefix][2]
    assert example.startswith(prefix + "-")
    assert check(example) == example


@pytest.mark.parametrize(
    ("typed", "standard"),
    [
        ("gb-lae-lbh", "GB-LAE-LBH"),
        ("Gb-Chc-216250", "GB-CHC-216250"),
        ("  GB-COH-sc123456  ", "GB-COH-SC123456"),
        ("gb-sc-sc037733", "GB-SC-SC037733"),
        ("\tgb-gor-d6\n", "GB-GOR-D6"),
    ],
)
def test_an_identifier_is_put_in_upper_case_without_surrounding_spaces(typed, standard):
    assert check(typed) == standard


ENGLISH_LA = ("Local authorities in England", "GB-LAE-LBH")
CHARITY = ("Charity Commission for England and Wales", "GB-CHC-216250")


@pytest.mark.parametrize(
    ("org_id", "scheme"),
    [
        ("GB-LAE-LB", ENGLISH_LA),
        ("GB-LAE-LBHXX", ENGLISH_LA),
        ("GB-LAE-123", ENGLISH_LA),
        ("GB-LAE-", ENGLISH_LA),
        ("GB-LAE-LB H", ENGLISH_LA),
        ("GB-CHC-12345", CHARITY),
        ("GB-CHC-12345678", CHARITY),
        ("GB-CHC-21625O", CHARITY),
        ("GB-CHC-216250 ;DROP", CHARITY),
        ("GB-CHC-216250\nX", CHARITY),
        # Arabic-Indic digits: \d would match them, org-id.guide identifiers are ASCII.
        ("GB-CHC-\u0662\u0661\u0666\u0662\u0665\u0660", CHARITY),
        ("GB-SC-037733", ("Scottish Charity Regulator", "GB-SC-SC037733")),
        ("GB-COH-1234567", ("Companies House", "GB-COH-01234567")),
        ("GB-COH-S1234567", ("Companies House", "GB-COH-01234567")),
        ("GB-NIC-12345", ("Charity Commission for Northern Ireland", "GB-NIC-100012")),
        ("GB-GOR-6D", ("Government organisations", "GB-GOR-D6")),
        ("GB-LANI-B", ("Local authorities in Northern Ireland", "GB-LANI-BFS")),
    ],
)
def test_an_identifier_in_the_wrong_shape_for_its_scheme_is_refused_with_an_example(org_id, scheme):
    name, example = scheme
    with pytest.raises(OrgIdError) as refusal:
        check(org_id)
    assert str(refusal.value) == f"Enter a {name} identifier in the right shape, like {example}"


@pytest.mark.parametrize(
    "org_id",
    [
        "XI-ABC-123",
        "GB-XYZ-123",
        "US-EIN-123456789",
        "LBH",
        "216250",
        "GB-LAELBH",
        "GBLAE-LBH",
        "GB-",
    ],
)
def test_an_identifier_of_an_unknown_scheme_is_refused_naming_known_ones(org_id):
    with pytest.raises(OrgIdError) as refusal:
        check(org_id)
    assert str(refusal.value) == (
        "Enter an identifier that starts with a known scheme, like GB-LAE-LBH or GB-CHC-216250"
    )


@pytest.mark.parametrize("org_id", ["", "   ", None])
def test_an_empty_identifier_is_refused_asking_for_one(org_id):
    with pytest.raises(OrgIdError) as refusal:
        check(org_id)
    assert str(refusal.value) == "Enter the organisation identifier"


def test_a_refusal_is_a_value_error_so_callers_can_catch_either():
    assert issubclass(OrgIdError, ValueError)
