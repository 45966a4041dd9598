"""A small static MITRE ATT&CK (Enterprise) table: the tactics, and the techniques siemc's rules use.

No network: siemc renders offline and byte-identically. A technique missing here still renders (its
id stands for its name) and the render says so; add it here with its name and tactics.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tactic:
    id: str
    name: str
    shortname: str  # the Sigma tag: attack.<shortname>
    sentinel: str  # Sentinel's AttackTactic enum value

    @property
    def reference(self) -> str:
        return f"https://attack.mitre.org/tactics/{self.id}/"


@dataclass(frozen=True)
class Technique:
    id: str
    name: str
    tactics: tuple[str, ...]  # shortnames
    known: bool = True

    @property
    def parent(self) -> str | None:
        return self.id.split(".")[0] if "." in self.id else None

    @property
    def reference(self) -> str:
        return f"https://attack.mitre.org/techniques/{self.id.replace('.', '/')}/"


def _tactics() -> dict[str, Tactic]:
    rows = [
        ("TA0043", "Reconnaissance", "reconnaissance", "Reconnaissance"),
        ("TA0042", "Resource Development", "resource-development", "ResourceDevelopment"),
        ("TA0001", "Initial Access", "initial-access", "InitialAccess"),
        ("TA0002", "Execution", "execution", "Execution"),
        ("TA0003", "Persistence", "persistence", "Persistence"),
        ("TA0004", "Privilege Escalation", "privilege-escalation", "PrivilegeEscalation"),
        ("TA0005", "Defense Evasion", "defense-evasion", "DefenseEvasion"),
        # ATT&CK v19 split Defense Evasion into Stealth (keeping TA0005) and Defense Impairment.
        # Sentinel's tactic enum predates the split: both render there as DefenseEvasion.
        ("TA0005", "Stealth", "stealth", "DefenseEvasion"),
        ("TA0112", "Defense Impairment", "defense-impairment", "DefenseEvasion"),
        ("TA0006", "Credential Access", "credential-access", "CredentialAccess"),
        ("TA0007", "Discovery", "discovery", "Discovery"),
        ("TA0008", "Lateral Movement", "lateral-movement", "LateralMovement"),
        ("TA0009", "Collection", "collection", "Collection"),
        ("TA0011", "Command and Control", "command-and-control", "CommandAndControl"),
        ("TA0010", "Exfiltration", "exfiltration", "Exfiltration"),
        ("TA0040", "Impact", "impact", "Impact"),
    ]
    return {short: Tactic(tid, name, short, sentinel) for tid, name, short, sentinel in rows}


TACTICS = _tactics()

# Sentinel's enum has no value for these v19 tactics; said out loud where they are rendered.
SENTINEL_APPROXIMATE = {"stealth", "defense-impairment"}

_DE = "defense-evasion"
_TECHNIQUES = [
    ("T1003", "OS Credential Dumping", ("credential-access",)),
    ("T1005", "Data from Local System", ("collection",)),
    ("T1020", "Automated Exfiltration", ("exfiltration",)),
    ("T1021", "Remote Services", ("lateral-movement",)),
    ("T1021.007", "Cloud Services", ("lateral-movement",)),
    ("T1053", "Scheduled Task/Job", ("execution", "persistence", "privilege-escalation")),
    ("T1053.003", "Cron", ("execution", "persistence", "privilege-escalation")),
    ("T1059", "Command and Scripting Interpreter", ("execution",)),
    ("T1059.001", "PowerShell", ("execution",)),
    ("T1059.003", "Windows Command Shell", ("execution",)),
    ("T1059.004", "Unix Shell", ("execution",)),
    ("T1059.009", "Cloud API", ("execution",)),
    ("T1069", "Permission Groups Discovery", ("discovery",)),
    ("T1069.003", "Cloud Groups", ("discovery",)),
    ("T1070", "Indicator Removal", (_DE,)),
    ("T1074", "Data Staged", ("collection",)),
    ("T1078", "Valid Accounts", (_DE, "persistence", "privilege-escalation", "initial-access")),
    ("T1078.002", "Domain Accounts", (_DE, "persistence", "privilege-escalation", "initial-access")),
    ("T1078.004", "Cloud Accounts", (_DE, "persistence", "privilege-escalation", "initial-access")),
    ("T1087", "Account Discovery", ("discovery",)),
    ("T1087.004", "Cloud Account", ("discovery",)),
    ("T1090", "Proxy", ("command-and-control",)),
    ("T1098", "Account Manipulation", ("persistence", "privilege-escalation")),
    ("T1098.001", "Additional Cloud Credentials", ("persistence", "privilege-escalation")),
    ("T1098.003", "Additional Cloud Roles", ("persistence", "privilege-escalation")),
    ("T1098.005", "Device Registration", ("persistence", "privilege-escalation")),
    ("T1110", "Brute Force", ("credential-access",)),
    ("T1114", "Email Collection", ("collection",)),
    ("T1114.003", "Email Forwarding Rule", ("collection",)),
    ("T1136", "Create Account", ("persistence",)),
    ("T1136.003", "Cloud Account", ("persistence",)),
    ("T1140", "Deobfuscate/Decode Files or Information", (_DE,)),
    ("T1190", "Exploit Public-Facing Application", ("initial-access",)),
    ("T1199", "Trusted Relationship", ("initial-access",)),
    ("T1484", "Domain or Tenant Policy Modification", (_DE, "privilege-escalation")),
    ("T1484.002", "Trust Modification", (_DE, "privilege-escalation")),
    ("T1485", "Data Destruction", ("impact",)),
    ("T1486", "Data Encrypted for Impact", ("impact",)),
    ("T1489", "Service Stop", ("impact",)),
    ("T1490", "Inhibit System Recovery", ("impact",)),
    ("T1496", "Resource Hijacking", ("impact",)),
    ("T1525", "Implant Internal Image", ("persistence",)),
    ("T1526", "Cloud Service Discovery", ("discovery",)),
    ("T1528", "Steal Application Access Token", ("credential-access",)),
    ("T1530", "Data from Cloud Storage", ("collection",)),
    ("T1531", "Account Access Removal", ("impact",)),
    ("T1535", "Unused/Unsupported Cloud Regions", (_DE,)),
    ("T1537", "Transfer Data to Cloud Account", ("exfiltration",)),
    ("T1538", "Cloud Service Dashboard", ("discovery",)),
    ("T1548", "Abuse Elevation Control Mechanism", ("privilege-escalation", _DE)),
    ("T1550", "Use Alternate Authentication Material", (_DE, "lateral-movement")),
    ("T1550.001", "Application Access Token", (_DE, "lateral-movement")),
    ("T1552", "Unsecured Credentials", ("credential-access",)),
    ("T1552.001", "Credentials In Files", ("credential-access",)),
    ("T1552.005", "Cloud Instance Metadata API", ("credential-access",)),
    ("T1552.007", "Container API", ("credential-access",)),
    ("T1555", "Credentials from Password Stores", ("credential-access",)),
    ("T1556", "Modify Authentication Process", ("credential-access", _DE, "persistence")),
    ("T1556.006", "Multi-Factor Authentication", ("credential-access", _DE, "persistence")),
    ("T1562", "Impair Defenses", (_DE,)),
    ("T1562.001", "Disable or Modify Tools", (_DE,)),
    ("T1562.007", "Disable or Modify Cloud Firewall", (_DE,)),
    ("T1562.008", "Disable or Modify Cloud Logs", (_DE,)),
    ("T1565", "Data Manipulation", ("impact",)),
    ("T1565.001", "Stored Data Manipulation", ("impact",)),
    ("T1566", "Phishing", ("initial-access",)),
    ("T1566.001", "Spearphishing Attachment", ("initial-access",)),
    ("T1566.002", "Spearphishing Link", ("initial-access",)),
    ("T1573", "Encrypted Channel", ("command-and-control",)),
    ("T1578", "Modify Cloud Compute Infrastructure", (_DE,)),
    ("T1578.001", "Create Snapshot", (_DE,)),
    ("T1578.002", "Create Cloud Instance", (_DE,)),
    ("T1578.003", "Delete Cloud Instance", (_DE,)),
    ("T1578.004", "Revert Cloud Instance", (_DE,)),
    ("T1578.005", "Modify Cloud Compute Configurations", (_DE,)),
    ("T1580", "Cloud Infrastructure Discovery", ("discovery",)),
    ("T1589", "Gather Victim Identity Information", ("reconnaissance",)),
    ("T1606", "Forge Web Credentials", ("credential-access",)),
    ("T1608", "Stage Capabilities", ("resource-development",)),
    ("T1608.003", "Install Digital Certificate", ("resource-development",)),
    ("T1619", "Cloud Storage Object Discovery", ("discovery",)),
    ("T1621", "Multi-Factor Authentication Request Generation", ("credential-access",)),
]
TECHNIQUES = {tid: Technique(tid, name, tactics) for tid, name, tactics in _TECHNIQUES}


def technique(tid: str) -> Technique:
    """The technique with this id (upper case), or a stand-in named by its id when not in the table."""
    tid = tid.upper()
    return TECHNIQUES.get(tid) or Technique(tid, tid, (), known=False)
