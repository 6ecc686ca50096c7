"""A contract import-linter does not ship: features reach each other only through their
public modules.

A feature is a package under ``automations`` listed in ``features``. From outside the feature
(another feature, the server, the CLI) only the package itself and its modules named in
``public`` may be imported — ``automations.queue.flows``, not ``automations.queue.claims``.
Inside a feature anything goes. Listing the public names once keeps the rule readable as the
features grow.
"""

from __future__ import annotations

import grimp
from importlinter import Contract, ContractCheck, fields, output

__all__ = ["PublicModulesContract"]


class PublicModulesContract(Contract):
    type_name = "public_modules"

    features = fields.ListField(subfield=fields.ModuleField())
    public = fields.ListField(subfield=fields.StringField())
    # Importers outside the features that may reach in anyway (none by default).
    trusted = fields.ListField(subfield=fields.ModuleField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        public = set(self.public)  # type: ignore[arg-type]
        trusted = [m.name for m in (self.trusted or [])]  # type: ignore[union-attr]
        broken: list[str] = []
        for feature in self.features:  # type: ignore[attr-defined]
            name = feature.name
            for module in sorted(graph.find_descendants(name)):
                rest = module[len(name) + 1 :].split(".")
                if rest[0] in public:
                    continue
                for importer in sorted(graph.find_modules_that_directly_import(module)):
                    inside = importer == name or importer.startswith(name + ".")
                    if inside or any(
                        importer == t or importer.startswith(t + ".") for t in trusted
                    ):
                        continue
                    lines = graph.get_import_details(importer=importer, imported=module)
                    where = ", ".join(f"l.{d['line_number']}" for d in lines) or "?"
                    broken.append(f"{importer} -> {module} ({where})")
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print("Internal modules of a feature imported from outside it:")
        output.new_line()
        for line in check.metadata["broken"]:
            output.print(f"- {line}")
        output.new_line()
        output.print(f"Import one of its public modules instead: {', '.join(self.public)}.")  # type: ignore[arg-type]


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")
