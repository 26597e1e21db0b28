"""The pack through the offline preview on a small program: the program runs under the fake AWS, the
pack runs as its own process over the Analyzer protocol, and the preview's verdict follows the
finding: stack ``broken`` fails (exit 1) naming the function and SQS; stack ``fixed`` passes."""

from pathlib import Path

import pytest

from preview.analyzer import PolicyPacks, stack_resources
from preview.engine import run_program
from preview.report import build_document, exit_code

HERE = Path(__file__).resolve().parent
PACK = HERE.parents[2] / "policies" / "wiring"


def preview(stack: str) -> dict:
    run = run_program(HERE / "fixture_project", stack)
    resources = stack_resources(run.resources, project=run.project, stack=stack, outputs=run.outputs, config=run.config)
    with PolicyPacks([PACK], project=run.project, stack=stack) as packs:
        diagnostics = packs.run(resources)
    return build_document(
        project=run.project,
        stack=stack,
        records=run.resources,
        outputs=run.outputs,
        diagnostics=diagnostics,
        packs=[],
        warnings=run.warnings,
        default_provider={"region": "us-east-1", "account": "111111111111"},
    )


@pytest.mark.parametrize("stack, verdict", [("broken", 1), ("fixed", 0)])
def test_the_preview_verdict_follows_the_wiring(stack, verdict):
    document = preview(stack)
    assert exit_code(document) == verdict, document["violations"]
    if not verdict:
        assert not document["violations"]  # not even an advisory: every value was known and decided
    else:
        [violation] = document["violations"]
        assert violation["policy"] == "wiring-vpc-compute-reaches-apis" and violation["level"] == "mandatory"
        assert violation["urn"].endswith("aws:lambda/function:Function::indexer")
        assert "Api::sqs@us-east-1" in violation["message"] and "com.amazonaws.us-east-1.sqs" in violation["message"]
