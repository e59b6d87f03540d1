"""The standard conditions of grant every offer carries, as versioned text: an offer freezes
the version it was made with, so a later change never alters what a grantee accepted."""

STANDARD_CONDITIONS_VERSION = 1

STANDARD_CONDITIONS = {
    1: [
        "The grant is paid in arrears against approved milestone returns or completed "
        "milestones, and only after this offer has been accepted.",
        "The grant may be spent only on the purposes and eligible costs described in this "
        "offer, within the dates it gives.",
        "The grantee reports spend, forecasts, outputs and progress in a return for every "
        "reporting period, by its due date, with evidence where asked.",
        "Money not spent on eligible costs by the end of the grant, or spent on anything else, "
        "is repaid to the department when asked.",
        "Any change to the amount, its profile across financial years or the planned dates is "
        "agreed in writing as a variation before it takes effect.",
        "The grantee keeps records of how the grant was spent for six years after it ends and "
        "lets the department or its auditors see them.",
        "The grantee tells the department at once of any fraud, safeguarding concern or risk "
        "that may stop the work being delivered.",
    ],
}
