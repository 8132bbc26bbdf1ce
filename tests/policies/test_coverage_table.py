"""policies/README.md's coverage table against the anchor packs: every policy it names exists,
every anchor it cites has the form of its source, and the totals line counts the rows."""
import re
from pathlib import Path

from policies.pack import ALL_POLICIES

README = Path(__file__).resolve().parents[2] / "policies" / "README.md"
# "C CKV_AWS_1", "G name", "P service/Resource/policy", "AWS rule"; a bare id or name continues the
# source before it ("C CKV_AWS_53, CKV_AWS_54").
ANCHOR = re.compile(r"^(C (CKV2?_AWS_\d+|CKV2 \w+)|CKV2?_AWS_\d+|G [a-z]\w+|P [a-z0-9]+/\w+/\w+|[a-zA-Z]+|AWS [a-z-]+)$")


def _rows() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Coverage against the anchor packs"):]
    section = section[:section.index("\n## ", 1)]
    return [[cell.strip() for cell in line.strip().strip("|").split(" | ")]
            for line in section.splitlines() if line.startswith("| `")], section


def test_every_named_policy_exists_and_every_row_decides():
    rows, _ = _rows()
    names = {p.name for p in ALL_POLICIES}
    for resource, check, anchors, pack in rows:
        assert pack.startswith("`") or pack.startswith("— "), (check, pack)
        if pack.startswith("`"):
            assert set(re.findall(r"`([a-z0-9-]+)`", pack)) <= names, pack
        for anchor in anchors.split(", ") if anchors != "(none)" else []:
            assert ANCHOR.match(anchor), anchor


def test_the_totals_line_counts_the_rows():
    rows, section = _rows()
    with_anchor = [row for row in rows if row[2] != "(none)"]
    covered = [row for row in with_anchor if row[3].startswith("`")]
    advisory = [row for row in covered if "(adv.)" in row[3]]
    gaps = [row for row in with_anchor if not row[3].startswith("`") and "gap" in row[3]]
    assert (f"over the {len(with_anchor)} checks with an anchor: **{len(covered)} covered** ({len(advisory)} of them "
            f"advisory), {len(gaps)} left out as gaps to close, {len(with_anchor) - len(covered) - len(gaps)} decided"
            in " ".join(section.split()))


def test_every_new_check_of_the_issue_is_covered():
    rows, _ = _rows()
    covered = " ".join(row[3] for row in rows)
    for policy in ("ecs-task-no-privileged-containers", "ecs-task-read-only-root-filesystem",
                   "ecs-task-no-plaintext-secrets", "ecr-scan-on-push", "ecr-immutable-tags", "kms-key-rotation",
                   "secrets-rotated", "alb-deletion-protection", "alb-access-logs", "cloudfront-access-logging",
                   "waf-logging"):
        assert f"`{policy}`" in covered
