"""Running totals: the figures the dashboards and the minister's summary read.

- `vocabulary.py`: the words for money (announced, budget, in draft, offered, committed, paid,
  reported spend, recovered) and which rows each one counts, defined once;
- `contributions.py`: what one allocation, with its projects, returns and payments, adds to
  each total (the one place the figures are worked out from the live rows);
- `ledger.py`: applying changes to the totals (`UPDATE ... SET x = x + :delta`), rebuilding
  them from the live rows, and checking them against the live rows;
- `tracking.py`: the session hooks that move the totals in the same transaction as every
  flush that changes an allocation, a project, a return, a payment or an organisation's region.
"""
