"""Sample organisations built from the knowledge packs, for agent tests, evals and benches."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from agents.plan import BankQuestion, ModuleInfo, PlanRequest
from knowledge.base import KnowledgeBase, OrganizationKnowledge
from knowledge.loaders import load_document
from knowledge.packs import PACKS_DIR, Pack, read_pack


@dataclass(frozen=True, slots=True)
class PackOrg:
    pack: Pack
    knowledge: OrganizationKnowledge

    @property
    def organization_id(self) -> str:
        return self.knowledge.organization_id

    def plan_request(
        self,
        goal: str,
        *,
        focus_skills: tuple[str, ...] = (),
        notes: str = "",
        agreed_actions: tuple[str, ...] = (),
        language: str | None = None,
        seed: str = "scenario",
    ) -> PlanRequest:
        pack = self.pack
        return PlanRequest(
            organization_id=self.organization_id,
            language=language or pack.default_language,
            goal=goal,
            notes=notes,
            focus_skills=focus_skills,
            agreed_actions=agreed_actions,
            program_name=pack.program_name,
            modules=tuple(
                ModuleInfo(m.title, m.skill, tuple(m.reflection_prompts)) for m in pack.modules
            ),
            bank=tuple(
                BankQuestion(q.skill, q.scale, pack.default_language, q.text)  # type: ignore[arg-type]
                for q in pack.questions
            ),
            seed=seed,
        )


def pack_organization_id(slug: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, slug))


def index_pack(knowledge: KnowledgeBase, slug: str) -> PackOrg:
    """Index a sample pack as its own organisation (a stable id derived from the slug)."""
    pack = read_pack(PACKS_DIR / slug)
    org = knowledge.organization(pack_organization_id(slug))
    for name, data in pack.files.items():
        org.index_document(load_document(name, data), document_id=name, version=1)
    return PackOrg(pack, org)
