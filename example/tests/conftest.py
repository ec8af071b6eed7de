import os

import pytest

# These tests need a real PostgreSQL. The contract suite starts one and sets
# PG*; by hand: `npx tsx test/contract/run-example-pytest.ts` from the repo root.
if not (os.environ.get("PGHOST") or os.environ.get("DATABASE_URL")):
    pytest.exit(
        "no database configured (PGHOST/DATABASE_URL unset): run `npx tsx test/contract/run-example-pytest.ts`",
        returncode=4,
    )
