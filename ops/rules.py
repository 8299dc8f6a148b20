"""Rule proposals for ops and the desk: gather corrections, suggest, preview, apply, undo.

Applying a proposal edits config/sectors.toml: the old file is copied to config/rule_backups/
first, the new text is verified (pipeline.rule_edit) and written atomically, and an audit event
(rules_apply) records who applied what, with the evidence, the preview and both file hashes.
Undo puts the backup back, but only while the file is still the one that apply wrote.
The scheduler reads the rules when it starts: new items follow a change after its restart.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import store.accounts
import store.db
import store.items
import store.learning
from pipeline.errors import ConfigError, StoreError
from pipeline.rule_change import Change, Doc, Impact, impacts
from pipeline.rule_edit import edit_rules_text, parse_rules_text
from pipeline.rule_suggest import Correction, Proposal, SuggestSettings, Verdict, suggest
from pipeline.rules import SectorRules

BACKUP_DIR = "rule_backups"
# Items whose term statistics tell which words are common in which sector.
BACKGROUND_ITEMS = 5000
# The impact preview runs over the latest undecided items (a full reprocess covers them all).
PREVIEW_ITEMS = 5000


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A numbered proposal with its preview over the undecided items."""

    number: int
    proposal: Proposal
    impact: Impact


def sectors_file(config_dir: str | Path) -> Path:
    """The sectors.toml of a config directory."""
    return Path(config_dir) / "sectors.toml"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_rules(config_dir: str | Path) -> tuple[str, SectorRules]:
    """The text of sectors.toml and the rules it holds (ConfigError if invalid)."""
    path = sectors_file(config_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from exc
    return text, parse_rules_text(text, str(path))


def _doc(row: dict[str, Any]) -> Doc:
    return Doc(row["key"], row["title"] or "", row["text"] or "", row["sector"] or "off_topic")


def undecided_docs(db: store.db.Database, limit: int = PREVIEW_ITEMS) -> list[Doc]:
    """The latest items a reprocess may move (editors' decisions are never touched)."""
    docs = [_doc(row) for row in store.items.items_for_reprocess(db, "")]
    return docs[-limit:]


def suggestions(
    db: store.db.Database,
    config_dir: str | Path,
    settings: SuggestSettings | None = None,
    background_items: int = BACKGROUND_ITEMS,
) -> list[Suggestion]:
    """Every proposal the editors' corrections support, numbered from 1, each with its impact."""
    _, rules = read_rules(config_dir)
    corrections = [
        Correction(_doc(r), r["from_sector"], r["to_sector"])
        for r in store.learning.corrections(db)
    ]
    verdicts = [
        Verdict(_doc(r), r["sector"], bool(r["accepted"])) for r in store.learning.verdicts(db)
    ]
    background = [_doc(r) for r in store.learning.background(db, background_items)]
    proposals = suggest(rules, corrections, verdicts, background, settings or SuggestSettings())
    previews = impacts(rules, [p.change for p in proposals], undecided_docs(db))
    return [
        Suggestion(n, p, im) for n, (p, im) in enumerate(zip(proposals, previews, strict=True), 1)
    ]


def pick(found: list[Suggestion], number: int, expect: str = "") -> Suggestion:
    """Suggestion `number`; `expect` (its description) guards against a list that changed."""
    chosen = next((s for s in found if s.number == number), None)
    if chosen is None:
        raise StoreError(f"没有第 {number} 条规则建议（当前共 {len(found)} 条）")
    if expect and chosen.proposal.change.describe() != expect:
        raise StoreError("规则建议列表已变化，请刷新后重新确认")
    return chosen


def apply_suggestion(
    db: store.db.Database, config_dir: str | Path, chosen: Suggestion, actor: str, now: datetime
) -> Path:
    """Edit sectors.toml as the proposal says (backup first); return the backup's path."""
    path = sectors_file(config_dir)
    text, _ = read_rules(config_dir)
    change = chosen.proposal.change
    note = f"规则建议（{actor}，{now:%Y-%m-%d}）：{len(chosen.proposal.evidence)} 条编辑更正为证"
    new_text = edit_rules_text(text, change, note, str(path))
    backups = path.parent / BACKUP_DIR
    backup = backups / f"sectors-{now:%Y%m%dT%H%M%S}-{_sha(text)[:8]}.toml"
    try:
        backups.mkdir(exist_ok=True)
        backup.write_text(text, encoding="utf-8")
        _write_atomically(path, new_text)
    except OSError as exc:
        raise StoreError(
            f"无法写入配置目录 {path.parent}（{exc}）：运行编辑台的账号需要对它有写权限，"
            "或由运维在服务器上执行 newsdesk rules apply"
        ) from exc
    store.accounts.record_event(
        db, actor, "rules_apply", path.name,
        {"sha256": _sha(text), "backup": str(backup)},
        {
            "change": _change_fields(change), "describe": change.describe(),
            "sha256": _sha(new_text), "reason": chosen.proposal.reason,
            "evidence": [e.key for e in chosen.proposal.evidence],
            "moves": [list(m) for m in chosen.impact.moves],
        },
    )  # fmt: skip
    return backup


def undo_last(db: store.db.Database, config_dir: str | Path, actor: str) -> dict[str, Any]:
    """Restore sectors.toml from the backup of the latest rule change not yet undone."""
    path = sectors_file(config_dir)
    events = store.learning.rule_events(db)
    undone = {e["after"]["undid"] for e in events if e["action"] == "rules_undo"}
    target = next(
        (e for e in events if e["action"] == "rules_apply" and e["id"] not in undone), None
    )
    if target is None:
        raise StoreError("没有可撤销的规则修改")
    text, _ = read_rules(config_dir)
    if _sha(text) != target["after"]["sha256"]:
        raise StoreError(f"{path.name} 在这次规则修改之后又被改动过，无法自动撤销；请手工恢复")
    backup = Path(target["before"]["backup"])
    try:
        old = backup.read_text(encoding="utf-8")
    except OSError as exc:
        raise StoreError(f"备份文件 {backup} 无法读取：{exc}") from exc
    parse_rules_text(old, str(backup))
    try:
        _write_atomically(path, old)
    except OSError as exc:
        raise StoreError(f"无法写入 {path}（{exc}）") from exc
    store.accounts.record_event(
        db, actor, "rules_undo", path.name, {"sha256": _sha(text)},
        {"undid": target["id"], "describe": target["after"]["describe"], "sha256": _sha(old)},
    )  # fmt: skip
    return target


def _change_fields(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind, "sector": change.sector, "term": change.term,
        "weight": change.weight, "old_weight": change.old_weight,
    }  # fmt: skip


def _write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
