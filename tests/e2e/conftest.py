"""The end-to-end tests reuse the leasing fixtures (real PostgreSQL, the application role) and the
search fixtures (signed fake OpenSearch credentials)."""

from tests.lambdas.leasing.conftest import (  # noqa: F401 - fixtures
    lambda_context,
    leasing_database,
    leasing_db,
    leasing_db_settings,
    postgres_server,
)
from tests.lambdas.search.conftest import aws_credentials  # noqa: F401 - fixture
