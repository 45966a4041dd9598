"""Named deployment profiles, one per tenant, from a YAML config file.

```yaml
defaults:                 # every profile starts from these
  schedule: {interval: 10m}
profiles:
  acme:
    elastic: {index: [logs-aws.cloudtrail-acme]}
    splunk: {index: acme_aws, app: siemc_acme}
    sentinel: {workspace: acme-sentinel}
    cloudwatch: {log_groups: [aws-cloudtrail-logs-acme]}
    levels: {medium: {sentinel: High}}      # severity remap for this tenant
    rules:                                  # per rule (by Sigma id), over the profile
      7c9d8c35-67c0-40c9-b573-45f848d0dad4: {level: high}
```
Every key is a setting of metadata.py (validated there). ``siemc render --profile acme`` writes
into ``OUT/acme/``; ``--profile all`` writes every profile, each in its own folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from outputs.metadata import Layer, SettingsError, validate_layer

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Profile:
    name: str | None  # None: no profile (the config's defaults only)
    settings: Layer
    rules: dict[str, Layer] = field(default_factory=dict)
    defaults: Layer | None = None
    default_rules: dict[str, Layer] = field(default_factory=dict)

    def layers(self, rule_id: str) -> list[Layer]:
        """This profile's layers for one rule, lowest first."""
        out = [self.defaults] if self.defaults else []
        out.append(self.settings)
        out += [x for x in (self.default_rules.get(rule_id), self.rules.get(rule_id)) if x]
        return out

    @property
    def folder(self) -> str:
        return self.name or ""


def _split(values: Any, source: str) -> tuple[Layer, dict[str, Layer]]:
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise SettingsError(f"{source}: expected a mapping of settings")
    values = dict(values)
    per_rule = values.pop("rules", None) or {}
    if not isinstance(per_rule, dict):
        raise SettingsError(f"{source}: 'rules' must map Sigma rule ids to settings")
    layer = Layer(source, values)
    validate_layer(layer)
    rules = {}
    for rid, rv in per_rule.items():
        rl = Layer(f"{source}, rule {rid}", rv if rv is not None else {})
        validate_layer(rl)
        rules[str(rid)] = rl
    return layer, rules


@dataclass(frozen=True)
class Config:
    path: Path | None
    defaults: Layer
    default_rules: dict[str, Layer]
    profiles: dict[str, Profile]

    def select(self, name: str | None) -> list[Profile]:
        """The profiles ``--profile NAME`` means: one, every one (``all``), or none (defaults only)."""
        if name is None:
            return [Profile(None, self.defaults, self.default_rules)]
        if name == "all":
            if not self.profiles:
                raise SettingsError(f"{self.path}: no profiles defined")
            return list(self.profiles.values())
        if name not in self.profiles:
            known = ", ".join(self.profiles) or "none"
            raise SettingsError(f"{self.path or 'no config'}: no profile '{name}' (known: {known})")
        return [self.profiles[name]]


EMPTY = Config(None, Layer("no profile", {}), {}, {})


def load(path: Path) -> Config:
    """Read a profiles file; every problem is a SettingsError naming the file."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise SettingsError(f"{path}: cannot read: {e.strerror or e}") from None
    except yaml.YAMLError as e:
        raise SettingsError(f"{path}: invalid YAML: {str(e).splitlines()[0]}") from None
    doc = doc or {}
    if not isinstance(doc, dict) or set(doc) - {"defaults", "profiles"}:
        raise SettingsError(f"{path}: expected top-level keys 'defaults' and 'profiles' only")
    defaults, default_rules = _split(doc.get("defaults"), f"{path}: defaults")
    profiles_doc = doc.get("profiles") or {}
    if not isinstance(profiles_doc, dict):
        raise SettingsError(f"{path}: 'profiles' must map names to settings")
    profiles = {}
    for name, values in profiles_doc.items():
        name = str(name)
        if not _NAME.fullmatch(name) or name == "all":
            raise SettingsError(f"{path}: profile name '{name}' must be a folder name "
                                "(letters, digits, . _ -) other than 'all'")
        layer, rules = _split(values, f"{path}: profile {name}")
        profiles[name] = Profile(name, layer, rules, defaults, default_rules)
    return Config(path, defaults, default_rules, profiles)
