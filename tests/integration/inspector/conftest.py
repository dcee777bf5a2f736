"""The inspector's pages over the demo, signed and anchored (the consumer tests' fixtures)."""

from tests.integration.console.conftest import cheap_passwords, clock, console  # noqa: F401
from tests.integration.consumer.conftest import (  # noqa: F401
    anchored,
    chain,
    demo,
)
