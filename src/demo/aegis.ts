import { eq, inArray } from "drizzle-orm";
import { sha256Hex } from "../shared/crypto";
import type { DbLike } from "../store/index";
import {
  aegisControls,
  aegisFindingEvents,
  aegisFindingResources,
  aegisFindings,
  aegisImprovementActions,
  aegisPostureSnapshots,
  aegisResources,
} from "../store/schema/aegis";
import { tenants } from "../store/schema/tenancy";
import { userIdForEmail } from "../tenancy/sync";
import {
  CATEGORIES,
  CLASS_UIDS,
  DAY_MS,
  SEVERITY_IDS,
  STATUS,
  type Category,
  type SeverityName,
} from "../surfaces/aegis/ocsf";

/**
 * Demo data for aegis: a CIS-style control catalogue, findings in every OCSF status and severity with their
 * resources and history, ninety days of Secure-Score-style snapshots, and improvement actions.
 * Deterministic ids; dates relative to `now`; a tenant that already has its seeded findings is skipped
 * entirely, so seeding twice (even on a later day) changes nothing. Tenants absent from the store are skipped.
 */

type ControlSeed = {
  id: string;
  framework: "cis_m365_v5" | "cis_v8" | "ms_secure_score" | "cis_win2022";
  ref: string;
  title: string;
  category: Category;
  profile: string | null;
  max: number;
  cost: "low" | "moderate" | "high";
  impact: "low" | "moderate" | "high";
  description: string;
  rationale: string;
  remediation: string;
};

export const SEED_CONTROLS: ControlSeed[] = [
  {
    id: "ctl_m365_1_1_2",
    framework: "cis_m365_v5",
    ref: "1.1.2",
    title: "Ensure two emergency access accounts have been defined",
    category: "Identity",
    profile: "L1",
    max: 0,
    cost: "low",
    impact: "low",
    description:
      "Two cloud-only break-glass Global Administrator accounts exist, excluded from Conditional Access, " +
      "with long random passwords or FIDO2 keys stored offline.",
    rationale:
      "If a Conditional Access misconfiguration, federation outage or MFA provider failure locks every " +
      "administrator out, emergency accounts are the only way back in.",
    remediation:
      "1. Create two cloud-only accounts on the onmicrosoft.com domain (e.g. bg-admin-01/02).\n2. Assign " +
      "Global Administrator permanently (not via PIM).\n3. Register a FIDO2 key for each and store keys in " +
      "separate safes.\n4. Exclude both from all Conditional Access policies except one requiring " +
      "phishing-resistant MFA.\n5. Alert on any sign-in by these accounts (Entra sign-in logs -> Log " +
      "Analytics alert).",
  },
  {
    id: "ctl_m365_1_1_3",
    framework: "cis_m365_v5",
    ref: "1.1.3",
    title: "Ensure that between two and four global admins are designated",
    category: "Identity",
    profile: "L1",
    max: 0,
    cost: "low",
    impact: "low",
    description: "More than one and fewer than five accounts hold the Global Administrator role.",
    rationale:
      "One global admin is a single point of failure; many global admins multiply the accounts whose compromise gives an attacker the whole tenant.",
    remediation:
      "1. Entra admin center > Roles and administrators > Global Administrator: list assignments.\n2. Move " +
      "day-to-day admins to least-privileged roles (Exchange, User, Helpdesk, Intune Administrator).\n3. " +
      "Keep 2-4 Global Administrators including the emergency accounts; make the rest eligible through PIM.",
  },
  {
    id: "ctl_m365_1_2_2",
    framework: "cis_m365_v5",
    ref: "1.2.2",
    title: "Ensure sign-in to shared mailboxes is blocked",
    category: "Identity",
    profile: "L1",
    max: 0,
    cost: "low",
    impact: "low",
    description: "The user objects behind shared mailboxes have sign-in blocked.",
    rationale:
      "Shared mailboxes get a password by default; an enabled account with no owner and no MFA is an easy target for password spray.",
    remediation:
      "For each shared mailbox: Microsoft 365 admin center > Users > Active users > select the mailbox " +
      "user > Block sign-in. PowerShell: Update-MgUser -UserId <id> -AccountEnabled:$false.",
  },
  {
    id: "ctl_m365_2_1_8",
    framework: "cis_m365_v5",
    ref: "2.1.8",
    title: "Ensure that SPF records are published for all Exchange Domains",
    category: "Apps",
    profile: "L1",
    max: 0,
    cost: "low",
    impact: "low",
    description:
      "Every accepted domain publishes a TXT record v=spf1 include:spf.protection.outlook.com -all (plus any third-party senders).",
    rationale: "SPF lets receivers reject mail that forges the domain from unauthorised servers.",
    remediation:
      "Publish at the DNS host: v=spf1 include:spf.protection.outlook.com -all. Add include: entries for " +
      "the line-of-business senders (EHR reminders, billing) before switching to -all.",
  },
  {
    id: "ctl_m365_2_1_9",
    framework: "cis_m365_v5",
    ref: "2.1.9",
    title: "Ensure that DKIM is enabled for all Exchange Online Domains",
    category: "Apps",
    profile: "L1",
    max: 0,
    cost: "low",
    impact: "low",
    description: "DKIM signing is enabled in Defender for Office 365 for every accepted domain.",
    rationale:
      "DKIM signatures let receivers verify mail was not altered and really comes from the domain; DMARC alignment depends on it.",
    remediation:
      "1. Publish selector1/selector2 CNAMEs shown in Defender portal > Email authentication settings > " +
      "DKIM.\n2. Enable signing for the domain.\n3. Verify with a test message header (dkim=pass " +
      "header.d=<domain>).",
  },
  {
    id: "ctl_m365_2_1_10",
    framework: "cis_m365_v5",
    ref: "2.1.10",
    title: "Ensure DMARC Records for all Exchange Online domains are published",
    category: "Apps",
    profile: "L1",
    max: 0,
    cost: "low",
    impact: "low",
    description: "Each domain publishes _dmarc TXT with p=quarantine or p=reject and a rua reporting address.",
    rationale:
      "Without an enforcing DMARC policy, lookalike-free spoofing of the exact domain still reaches patients, clients and suppliers.",
    remediation:
      "1. Publish v=DMARC1; p=none; rua=mailto:dmarc@<domain> and collect 2-4 weeks of reports.\n2. Fix " +
      "every legitimate sender failing alignment.\n3. Move to p=quarantine; pct=25, then 100, then " +
      "p=reject.",
  },
  {
    id: "ctl_m365_3_1_1",
    framework: "cis_m365_v5",
    ref: "3.1.1",
    title: "Ensure Microsoft 365 audit log search is Enabled",
    category: "Data",
    profile: "L1",
    max: 0,
    cost: "low",
    impact: "low",
    description: "Unified audit logging is turned on for the tenant.",
    rationale: "Investigating a compromised mailbox or data exfiltration is impossible without the unified audit log.",
    remediation:
      "Exchange Online PowerShell: Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true. Verify in Purview > Audit.",
  },
  {
    id: "ctl_m365_5_1_5_1",
    framework: "cis_m365_v5",
    ref: "5.1.5.1",
    title: "Ensure user consent to apps accessing company data on their behalf is not allowed",
    category: "Apps",
    profile: "L2",
    max: 0,
    cost: "low",
    impact: "moderate",
    description:
      "Users cannot grant OAuth consent to third-party applications; admins review requests through the admin consent workflow.",
    rationale:
      "Illicit consent grants give attackers persistent mailbox and file access that survives password resets and MFA.",
    remediation:
      "Entra admin center > Enterprise applications > Consent and permissions > User consent settings: Do " +
      "not allow user consent. Then enable the admin consent workflow with reviewers.",
  },
  {
    id: "ctl_m365_5_2_2_1",
    framework: "cis_m365_v5",
    ref: "5.2.2.1",
    title: "Ensure multifactor authentication is enabled for all users in administrative roles",
    category: "Identity",
    profile: "L1",
    max: 0,
    cost: "low",
    impact: "low",
    description: "A Conditional Access policy requires MFA for every directory role holder.",
    rationale:
      "Administrative accounts are the highest-value targets; a single phished admin password gives away the tenant.",
    remediation:
      "Create a Conditional Access policy: Users = Directory roles (all admin roles), Cloud apps = All, " +
      "Grant = Require authentication strength 'Phishing-resistant MFA'. Start in report-only for 48 h, " +
      "then On.",
  },
  {
    id: "ctl_m365_5_2_2_2",
    framework: "cis_m365_v5",
    ref: "5.2.2.2",
    title: "Ensure multifactor authentication is enabled for all users",
    category: "Identity",
    profile: "L1",
    max: 0,
    cost: "moderate",
    impact: "moderate",
    description: "A Conditional Access policy requires MFA for all users on all cloud apps.",
    rationale: "MFA blocks the overwhelming majority of password spray and credential-stuffing attacks.",
    remediation:
      "1. Run a registration campaign (Entra > Authentication methods > Registration campaign) for " +
      "Microsoft Authenticator.\n2. Create a CA policy: All users (exclude break-glass), All cloud apps, " +
      "Require MFA.\n3. Report-only for a week, review sign-in logs for service accounts, then enforce.",
  },
  {
    id: "ctl_m365_5_2_2_3",
    framework: "cis_m365_v5",
    ref: "5.2.2.3",
    title: "Enable Conditional Access policies to block legacy authentication",
    category: "Identity",
    profile: "L1",
    max: 0,
    cost: "low",
    impact: "moderate",
    description:
      "Legacy protocols (POP, IMAP, SMTP AUTH, EWS basic, ActiveSync basic) are blocked by Conditional Access.",
    rationale:
      "Legacy authentication cannot do MFA, so it is how password-spray attacks still succeed against MFA-enabled tenants.",
    remediation:
      "1. Sign-in logs: filter Client app = legacy to find remaining users (scanners, old Outlook, " +
      "line-of-business apps).\n2. Move scanners to SMTP relay/connector; upgrade clients.\n3. CA policy: " +
      "All users, Client apps = Exchange ActiveSync + Other clients, Block.",
  },
  {
    id: "ctl_m365_6_2_1",
    framework: "cis_m365_v5",
    ref: "6.2.1",
    title: "Ensure all forms of mail forwarding are blocked and/or disabled",
    category: "Apps",
    profile: "L1",
    max: 0,
    cost: "low",
    impact: "low",
    description:
      "Automatic external forwarding is off in the outbound spam policy and no transport rule forwards externally.",
    rationale:
      "Attackers who take over a mailbox create forwarding rules to siphon mail silently, often for invoice fraud.",
    remediation:
      "Defender > Policies > Anti-spam > Outbound policy: Automatic forwarding = Off. Review inbox rules: " +
      "Get-InboxRule -Mailbox <m> | where {$_.ForwardTo -or $_.RedirectTo}.",
  },
  {
    id: "ctl_m365_7_2_3",
    framework: "cis_m365_v5",
    ref: "7.2.3",
    title: "Ensure external content sharing is restricted",
    category: "Data",
    profile: "L1",
    max: 0,
    cost: "low",
    impact: "moderate",
    description:
      "SharePoint and OneDrive external sharing is limited to new and existing guests; 'Anyone' links are off.",
    rationale: "Anonymous links are forwarded, indexed and never expire; privileged client files leak through them.",
    remediation:
      "SharePoint admin center > Policies > Sharing: set SharePoint and OneDrive to 'New and existing " +
      "guests', default link type 'Specific people', link expiry 30 days.",
  },
  {
    id: "ctl_v8_3_11",
    framework: "cis_v8",
    ref: "3.11",
    title: "Encrypt Sensitive Data at Rest",
    category: "Device",
    profile: "IG2",
    max: 0,
    cost: "moderate",
    impact: "low",
    description: "Encrypt sensitive data at rest on servers, applications and end-user devices (BitLocker, FileVault).",
    rationale: "A lost or stolen laptop with an unencrypted disk is a reportable breach (HIPAA, UK GDPR).",
    remediation:
      "Intune > Endpoint security > Disk encryption: BitLocker policy with XTS-AES 256, silent enable, " +
      "recovery keys escrowed to Entra ID. Report: Intune > Reports > Encryption report.",
  },
  {
    id: "ctl_v8_6_5",
    framework: "cis_v8",
    ref: "6.5",
    title: "Require MFA for Administrative Access",
    category: "Identity",
    profile: "IG1",
    max: 0,
    cost: "low",
    impact: "low",
    description:
      "Require MFA for all administrative access accounts, on all enterprise assets, managed on-site or by a service provider.",
    rationale: "Administrative credentials are the attacker's fastest route to the whole environment.",
    remediation:
      "Enforce MFA on admin roles (Conditional Access), RMM and PSA consoles, firewall management and hypervisors.",
  },
  {
    id: "ctl_v8_7_3",
    framework: "cis_v8",
    ref: "7.3",
    title: "Perform Automated Operating System Patch Management",
    category: "Device",
    profile: "IG1",
    max: 0,
    cost: "low",
    impact: "low",
    description:
      "Perform operating system updates on enterprise assets through automated patch management on a monthly, or more frequent, basis.",
    rationale: "Most exploited vulnerabilities had a patch available for weeks; patch latency is the exposure window.",
    remediation:
      "Windows Update for Business rings in Intune: pilot (0 days), broad (7 days deferral), deadline 3 " +
      "days, grace 2 days. Track devices > 30 days behind in the RMM patch report.",
  },
  {
    id: "ctl_v8_7_4",
    framework: "cis_v8",
    ref: "7.4",
    title: "Perform Automated Application Patch Management",
    category: "Device",
    profile: "IG1",
    max: 0,
    cost: "low",
    impact: "low",
    description:
      "Perform application updates on enterprise assets through automated patch management on a monthly, or more frequent, basis.",
    rationale:
      "Browsers, PDF readers and Java runtimes are the most common initial-access exploit targets on workstations.",
    remediation:
      "Enable third-party patching in the RMM for browsers and common apps; enforce Chrome/Edge auto-update via policy; remove unused runtimes.",
  },
  {
    id: "ctl_v8_10_1",
    framework: "cis_v8",
    ref: "10.1",
    title: "Deploy and Maintain Anti-Malware Software",
    category: "Device",
    profile: "IG1",
    max: 0,
    cost: "low",
    impact: "low",
    description: "Deploy and maintain anti-malware software on all enterprise assets.",
    rationale: "EDR detects and stops commodity ransomware and hands-on-keyboard activity early.",
    remediation:
      "Onboard every device to Defender for Business/Endpoint; enable tamper protection, cloud protection " +
      "and block-at-first-sight; alert on sensors silent > 24 h.",
  },
  {
    id: "ctl_v8_11_2",
    framework: "cis_v8",
    ref: "11.2",
    title: "Perform Automated Backups",
    category: "Infrastructure",
    profile: "IG1",
    max: 0,
    cost: "moderate",
    impact: "low",
    description:
      "Perform automated backups of in-scope enterprise assets, weekly or more frequently depending on data sensitivity.",
    rationale: "Recoverable backups turn a ransomware event from a business-ending incident into a restore.",
    remediation:
      "Daily image backups of servers with immutable cloud copy; Microsoft 365 backup for mailboxes, " +
      "OneDrive and SharePoint; monthly test restore recorded as evidence.",
  },
  {
    id: "ctl_v8_12_2",
    framework: "cis_v8",
    ref: "12.2",
    title: "Establish and Maintain a Secure Network Architecture",
    category: "Infrastructure",
    profile: "IG2",
    max: 0,
    cost: "high",
    impact: "moderate",
    description:
      "Design and maintain a secure network architecture: segmentation, least privilege, no management services exposed to the internet.",
    rationale: "RDP and SMB exposed to the internet are the top ransomware entry points.",
    remediation:
      "Close inbound 3389/445 on the perimeter firewall; provide remote access through a VPN with MFA or a zero-trust broker; segment servers from kiosks.",
  },
  {
    id: "ctl_ss_admin_mfa",
    framework: "ms_secure_score",
    ref: "AdminMFAV2",
    title: "Ensure multifactor authentication is enabled for all users in administrative roles",
    category: "Identity",
    profile: null,
    max: 10,
    cost: "low",
    impact: "low",
    description: "Secure Score improvement action: require MFA for administrative roles.",
    rationale: "Protects the accounts that can change every other setting.",
    remediation:
      "Entra > Conditional Access > New policy from template 'Require multifactor authentication for admins'.",
  },
  {
    id: "ctl_ss_legacy_auth",
    framework: "ms_secure_score",
    ref: "BlockLegacyAuthentication",
    title: "Block legacy authentication",
    category: "Identity",
    profile: null,
    max: 8,
    cost: "moderate",
    impact: "moderate",
    description: "Secure Score improvement action: block legacy authentication protocols.",
    rationale: "Legacy protocols bypass MFA.",
    remediation: "Conditional Access template 'Block legacy authentication'.",
  },
  {
    id: "ctl_win_1_1_4",
    framework: "cis_win2022",
    ref: "1.1.4",
    title: "Ensure 'Minimum password length' is set to '14 or more character(s)'",
    category: "Infrastructure",
    profile: "L1",
    max: 0,
    cost: "low",
    impact: "moderate",
    description: "Local and domain password policy requires at least 14 characters.",
    rationale: "Short passwords fall to offline cracking of captured hashes within hours.",
    remediation:
      "GPO: Computer Configuration\\Policies\\Windows Settings\\Security Settings\\Account Policies\\Password Policy\\Minimum password length = 14.",
  },
  {
    id: "ctl_win_2_3_11_7",
    framework: "cis_win2022",
    ref: "2.3.11.7",
    title:
      "Ensure 'Network security: LAN Manager authentication level' is set to 'Send NTLMv2 response only. Refuse LM & NTLM'",
    category: "Infrastructure",
    profile: "L1",
    max: 0,
    cost: "low",
    impact: "moderate",
    description: "The server refuses LM and NTLMv1 authentication.",
    rationale: "NTLMv1 responses can be cracked or relayed trivially.",
    remediation:
      "GPO: Security Options > Network security: LAN Manager authentication level = Send NTLMv2 response " +
      "only. Refuse LM & NTLM. Audit NTLMv1 use first (event 4624, Package Name NTLM V1).",
  },
  {
    id: "ctl_win_18_10_87_1",
    framework: "cis_win2022",
    ref: "18.10.87.1",
    title: "Ensure 'Turn on PowerShell Script Block Logging' is set to 'Enabled'",
    category: "Infrastructure",
    profile: "L1",
    max: 0,
    cost: "low",
    impact: "low",
    description: "PowerShell script block logging writes executed script content to the event log (event 4104).",
    rationale: "Attackers live off the land with PowerShell; without script block logs an investigation is blind.",
    remediation:
      "GPO: Administrative Templates\\Windows Components\\Windows PowerShell\\Turn on PowerShell Script " +
      "Block Logging = Enabled; forward event 4104 to the SIEM.",
  },
];

type ResourceSeed = { key: string; kind: string; name: string; ref?: string };
type EventSeed = {
  daysAgo: number;
  actor: "scanner" | "tech" | "admin" | "owner";
  action: string;
  from?: number;
  to?: number;
  comment?: string;
};
type FindingSeed = {
  key: string;
  uid: string;
  cls: "compliance" | "vulnerability" | "detection";
  source: string;
  control?: string;
  title: string;
  description: string;
  types: string[];
  severity: SeverityName;
  status: number;
  compliance?: 1 | 2 | 3;
  remediation: string;
  risk: number;
  resources: string[];
  firstSeenDaysAgo: number;
  lastSeenDaysAgo: number;
  assignee?: "tech" | "admin";
  suppression?: { reason: string; justification: string; untilDays: number };
  resolution?: { daysAgo: number; note: string; evidence?: string };
  events: EventSeed[];
};

type TenantSeed = {
  tenantId: string;
  resources: ResourceSeed[];
  findings: FindingSeed[];
  /** Posture curve: percent at day -89 and day 0, plus an optional dip. */
  posture: {
    maxScore: number;
    startPct: number;
    endPct: number;
    dip?: { centerDaysAgo: number; depthPct: number; widthDays: number };
    categoryBias: Partial<Record<Category, number>>;
  };
  actions: {
    controlId?: string;
    title: string;
    category: Category;
    actionType: string;
    service: string;
    max: number;
    score: number;
    cost: string;
    impact: string;
    tier: string;
    state: string;
    remediation: string;
  }[];
};

const ACTORS = {
  scanner: { userId: null, name: "AEGIS scanner" },
  tech: { userId: userIdForEmail("tech@harbor-it.example"), name: "Taylor Tech" },
  admin: { userId: userIdForEmail("admin@harbor-it.example"), name: "Morgan Admin" },
  owner: { userId: userIdForEmail("owner@fabrikam-law.example"), name: "Fran Owner" },
} as const;

const N = STATUS.NEW;
const IP = STATUS.IN_PROGRESS;
const SUP = STATUS.SUPPRESSED;
const RES = STATUS.RESOLVED;

/**
 * A compliance check that passed on the first scan, `daysAgo`, and has passed on every scan since: resolved from the
 * start, with no risk and a single scanner event.
 */
function passedOnFirstScan(
  daysAgo: number,
  note = "Check passed on first scan.",
): Pick<
  FindingSeed,
  "status" | "compliance" | "risk" | "firstSeenDaysAgo" | "lastSeenDaysAgo" | "resolution" | "events"
> {
  return {
    status: RES,
    compliance: 1,
    risk: 0,
    firstSeenDaysAgo: daysAgo,
    lastSeenDaysAgo: 0,
    resolution: { daysAgo, note },
    events: [{ daysAgo, actor: "scanner", action: "detected", to: RES, comment: "Check passed" }],
  };
}

/** A finding the scanner first raised `daysAgo`, still sees today, and nobody has touched: New, one detection event. */
function newSinceScan(
  daysAgo: number,
): Pick<FindingSeed, "status" | "firstSeenDaysAgo" | "lastSeenDaysAgo" | "events"> {
  return {
    status: N,
    firstSeenDaysAgo: daysAgo,
    lastSeenDaysAgo: 0,
    events: [{ daysAgo, actor: "scanner", action: "detected", to: N }],
  };
}

const COMMON_ACTIONS: TenantSeed["actions"] = [
  {
    controlId: "ctl_ss_admin_mfa",
    title: "Ensure multifactor authentication is enabled for all users in administrative roles",
    category: "Identity",
    actionType: "Config",
    service: "Entra ID",
    max: 10,
    score: 0,
    cost: "low",
    impact: "low",
    tier: "Core",
    state: "Default",
    remediation: "Conditional Access policy requiring phishing-resistant MFA for all directory roles.",
  },
  {
    title: "Ensure all users can complete multifactor authentication",
    category: "Identity",
    actionType: "Config",
    service: "Entra ID",
    max: 9,
    score: 0,
    cost: "moderate",
    impact: "moderate",
    tier: "Core",
    state: "Default",
    remediation: "Run an Authenticator registration campaign; enforce with Conditional Access after 14 days.",
  },
  {
    controlId: "ctl_ss_legacy_auth",
    title: "Block legacy authentication",
    category: "Identity",
    actionType: "Config",
    service: "Entra ID",
    max: 8,
    score: 0,
    cost: "moderate",
    impact: "moderate",
    tier: "Core",
    state: "Default",
    remediation:
      "Find remaining legacy sign-ins in the sign-in log, migrate scanners to an SMTP connector, then block with Conditional Access.",
  },
  {
    title: "Turn on sign-in risk policy",
    category: "Identity",
    actionType: "Config",
    service: "Entra ID",
    max: 7,
    score: 0,
    cost: "moderate",
    impact: "moderate",
    tier: "Defense in Depth",
    state: "Default",
    remediation: "Conditional Access: sign-in risk Medium and above requires MFA (Entra ID P2).",
  },
  {
    title: "Turn on BitLocker on all Windows devices",
    category: "Device",
    actionType: "Config",
    service: "Intune",
    max: 9,
    score: 0,
    cost: "low",
    impact: "low",
    tier: "Core",
    state: "Default",
    remediation:
      "Intune disk encryption policy: silent BitLocker with XTS-AES 256 and recovery key escrow to Entra ID.",
  },
  {
    title: "Apply security updates within 14 days of release",
    category: "Device",
    actionType: "Config",
    service: "Defender Vulnerability Management",
    max: 8,
    score: 0,
    cost: "low",
    impact: "low",
    tier: "Core",
    state: "Default",
    remediation:
      "Windows Update for Business rings with 7-day deferral and 3-day deadline; third-party patching in the RMM.",
  },
  {
    title: "Turn on tamper protection",
    category: "Device",
    actionType: "Config",
    service: "Defender for Endpoint",
    max: 6,
    score: 0,
    cost: "low",
    impact: "low",
    tier: "Core",
    state: "Default",
    remediation: "Defender portal > Settings > Endpoints > Advanced features > Tamper protection: On.",
  },
  {
    title: "Publish a DMARC policy with p=reject",
    category: "Apps",
    actionType: "Config",
    service: "Exchange Online",
    max: 5,
    score: 0,
    cost: "low",
    impact: "low",
    tier: "Core",
    state: "Default",
    remediation: "Move _dmarc from p=none through quarantine to reject after aligning all senders.",
  },
  {
    title: "Do not allow users to grant consent to unreviewed applications",
    category: "Apps",
    actionType: "Config",
    service: "Entra ID",
    max: 4,
    score: 0,
    cost: "low",
    impact: "moderate",
    tier: "Core",
    state: "Default",
    remediation: "Disable user consent; enable the admin consent workflow.",
  },
  {
    title: "Restrict anonymous 'Anyone' sharing links",
    category: "Data",
    actionType: "Config",
    service: "SharePoint Online",
    max: 5,
    score: 0,
    cost: "low",
    impact: "moderate",
    tier: "Core",
    state: "Default",
    remediation: "Set organisation sharing to 'New and existing guests'; default link 'Specific people'.",
  },
  {
    title: "Turn on Microsoft 365 audit log search",
    category: "Data",
    actionType: "Config",
    service: "Purview",
    max: 3,
    score: 0,
    cost: "low",
    impact: "low",
    tier: "Core",
    state: "Default",
    remediation: "Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true.",
  },
  {
    title: "Close inbound RDP and SMB at the perimeter",
    category: "Infrastructure",
    actionType: "Config",
    service: "Firewall",
    max: 6,
    score: 0,
    cost: "moderate",
    impact: "moderate",
    tier: "Core",
    state: "Default",
    remediation: "Remove 3389/445 port forwards; use VPN with MFA for remote administration.",
  },
];

function actionsWith(overrides: Record<string, { score: number; state?: string }>): TenantSeed["actions"] {
  return COMMON_ACTIONS.map((a) => ({ ...a, ...(overrides[a.title] ?? {}) }));
}

export const TENANT_SEEDS: TenantSeed[] = [
  {
    tenantId: "contosocare",
    resources: [
      {
        key: "m365",
        kind: "m365_tenant",
        name: "contosocare.onmicrosoft.com",
        ref: "7c1e2f3a-5b2d-4f7e-9a31-0c5d8e2b4a10",
      },
      { key: "domain", kind: "domain", name: "contosocare.example" },
      { key: "reception", kind: "mailbox", name: "reception@contosocare.example" },
      { key: "u_nurse", kind: "user", name: "j.alvarez@contosocare.example" },
      { key: "u_billing", kind: "user", name: "billing@contosocare.example" },
      { key: "u_drpark", kind: "user", name: "dr.park@contosocare.example" },
      { key: "fd01", kind: "device", name: "CC-FD-01", ref: "intune:3f9a" },
      { key: "fd02", kind: "device", name: "CC-FD-02", ref: "intune:41b2" },
      { key: "exam02", kind: "device", name: "CC-EXAM-02", ref: "intune:5a77" },
      { key: "exam04", kind: "device", name: "CC-EXAM-04", ref: "intune:6c10" },
      { key: "lt07", kind: "device", name: "CC-LT-07 (Dr. Park laptop)", ref: "intune:7d21" },
      { key: "lt09", kind: "device", name: "CC-LT-09", ref: "intune:7e42" },
    ],
    findings: [
      {
        key: "mfa_all",
        uid: "cis-m365-5.2.2.2:contosocare",
        cls: "compliance",
        source: "cis_m365",
        control: "ctl_m365_5_2_2_2",
        title: "MFA is not enforced for all users (14 of 42 users can sign in with a password alone)",
        description:
          "No Conditional Access policy requires MFA for all users. 14 enabled accounts have no MFA method " +
          "registered, including the shared billing account and two clinicians.",
        types: ["Identity", "CIS M365 L1"],
        severity: "High",
        status: N,
        compliance: 3,
        risk: 82,
        remediation:
          "1. Start an Authenticator registration campaign (Entra > Authentication methods > Registration " +
          "campaign), 14-day snooze limit.\n2. Convert billing@ to a shared mailbox and block its sign-in.\n3. " +
          "Create CA policy 'Require MFA - all users' in report-only, excluding the two break-glass " +
          "accounts.\n4. After 7 days without unexpected failures in the sign-in log, switch it On.",
        resources: ["m365", "u_nurse", "u_billing", "u_drpark"],
        firstSeenDaysAgo: 62,
        lastSeenDaysAgo: 0,
        events: [
          { daysAgo: 62, actor: "scanner", action: "detected", to: N, comment: "Detected by CIS M365 benchmark scan" },
          { daysAgo: 1, actor: "scanner", action: "rescanned", comment: "Still failing: 14 users without MFA" },
        ],
      },
      {
        key: "dmarc",
        uid: "cis-m365-2.1.10:contosocare.example",
        cls: "compliance",
        source: "cis_m365",
        control: "ctl_m365_2_1_10",
        title: "DMARC record for contosocare.example is p=none",
        description:
          "_dmarc.contosocare.example publishes v=DMARC1; p=none, so spoofed mail claiming to be from the " +
          "clinic is still delivered. Aggregate reports show the EHR appointment-reminder service failing SPF " +
          "alignment.",
        types: ["Email authentication", "CIS M365 L1"],
        severity: "Medium",
        status: IP,
        compliance: 3,
        risk: 55,
        assignee: "tech",
        remediation:
          "1. Add the EHR reminder service's include: to SPF and enable its custom DKIM selector.\n2. Confirm " +
          "14 days of aligned aggregate reports.\n3. Change to p=quarantine; pct=50, then p=reject.",
        resources: ["domain"],
        firstSeenDaysAgo: 40,
        lastSeenDaysAgo: 0,
        events: [
          { daysAgo: 40, actor: "scanner", action: "detected", to: N },
          {
            daysAgo: 12,
            actor: "tech",
            action: "acknowledged",
            from: N,
            to: IP,
            comment: "Reminder vendor asked for their DKIM CNAME values; waiting on ticket #48213.",
          },
          { daysAgo: 12, actor: "tech", action: "assigned", comment: "Assigned to Taylor Tech" },
        ],
      },
      {
        key: "breakglass",
        uid: "cis-m365-1.1.2:contosocare",
        cls: "compliance",
        source: "cis_m365",
        control: "ctl_m365_1_1_2",
        title: "No emergency access (break-glass) accounts defined",
        description:
          "All three Global Administrators are named staff accounts subject to Conditional Access; none is excluded for emergency access.",
        types: ["Identity", "CIS M365 L1"],
        severity: "Medium",
        compliance: 3,
        risk: 48,
        remediation:
          "Create bg-admin-01 and bg-admin-02 on contosocare.onmicrosoft.com with FIDO2 keys held in the " +
          "practice manager's safe and Harbor IT's vault; exclude them from CA except a phishing-resistant MFA " +
          "policy; alert on any use.",
        resources: ["m365"],
        ...newSinceScan(62),
      },
      {
        key: "auditlog",
        uid: "cis-m365-3.1.1:contosocare",
        cls: "compliance",
        source: "cis_m365",
        control: "ctl_m365_3_1_1",
        title: "Microsoft 365 audit log search is enabled",
        description: "Unified audit log ingestion is on; 180-day retention (E3).",
        types: ["Logging", "CIS M365 L1"],
        severity: "Informational",
        remediation:
          "No action needed. Keep retention in mind for HIPAA investigations (consider Audit Premium for 1 year).",
        resources: ["m365"],
        ...passedOnFirstScan(62, "Check passed on first scan; audit logging already enabled."),
      },
      {
        key: "fwd_rule",
        uid: "defender:inbox-rule:reception:2026",
        cls: "detection",
        source: "defender",
        control: "ctl_m365_6_2_1",
        title: "Suspicious inbox forwarding rule to external address on reception@contosocare.example",
        description:
          "A new inbox rule named '..' forwards every message containing 'invoice' or 'payment' to an external " +
          "Gmail address and marks it read. Created from an IP in a country the clinic has never signed in " +
          "from, 20 minutes after a successful password-only sign-in.",
        types: ["Business email compromise", "T1114.003 Email Forwarding Rule"],
        severity: "High",
        status: N,
        risk: 91,
        remediation:
          "Follow runbook 'Respond to suspicious inbox rule': 1. Revoke sessions and reset the password. 2. " +
          "Remove the rule (Remove-InboxRule). 3. Block external auto-forwarding tenant-wide. 4. Search the " +
          "audit log for MailItemsAccessed by the attacker IP. 5. Require MFA for the account before " +
          "re-enabling.",
        resources: ["reception"],
        firstSeenDaysAgo: 1,
        lastSeenDaysAgo: 0,
        events: [
          {
            daysAgo: 1,
            actor: "scanner",
            action: "detected",
            to: N,
            comment: "Alert from Defender for Office 365: Suspicious email forwarding activity",
          },
        ],
      },
      {
        key: "browser",
        uid: "mdvm:chrome-outdated:contosocare",
        cls: "vulnerability",
        source: "defender",
        control: "ctl_v8_7_4",
        title: "Google Chrome 12 versions behind on 3 front-desk and exam-room PCs",
        description:
          "Chrome 126 is installed on CC-FD-01, CC-FD-02 and CC-EXAM-04; the current stable release fixes " +
          "several actively exploited V8 type-confusion bugs. Auto-update is disabled by a legacy GPO from the " +
          "previous IT provider.",
        types: ["Software vulnerability", "Patch latency"],
        severity: "Medium",
        status: IP,
        risk: 60,
        assignee: "tech",
        remediation:
          "1. Remove the 'UpdateDefault=0' Google Update GPO.\n2. Push the current Chrome Enterprise MSI from " +
          "the RMM.\n3. Add Chrome to the RMM third-party patch policy (auto-approve within 3 days).",
        resources: ["fd01", "fd02", "exam04"],
        firstSeenDaysAgo: 21,
        lastSeenDaysAgo: 0,
        events: [
          { daysAgo: 21, actor: "scanner", action: "detected", to: N },
          {
            daysAgo: 5,
            actor: "tech",
            action: "acknowledged",
            from: N,
            to: IP,
            comment: "Scheduling after-hours update; exam PCs are in use 7am-7pm.",
          },
          { daysAgo: 5, actor: "tech", action: "assigned", comment: "Assigned to Taylor Tech" },
        ],
      },
      {
        key: "bitlocker",
        uid: "intune:bitlocker:contosocare",
        cls: "compliance",
        source: "secure_score",
        control: "ctl_v8_3_11",
        title: "BitLocker is off on 2 clinician laptops that store patient data",
        description:
          "CC-LT-07 and CC-LT-09 report 'Encryption: Not encrypted' in the Intune encryption report. Both carry cached EHR exports (PHI).",
        types: ["Data protection", "HIPAA 164.312(a)(2)(iv)"],
        severity: "High",
        compliance: 3,
        risk: 78,
        remediation:
          "Assign the 'Windows - BitLocker silent' disk encryption policy to the Clinicians device group; " +
          "confirm TPM 2.0 is present; verify recovery keys appear in Entra ID before closing.",
        resources: ["lt07", "lt09"],
        ...newSinceScan(9),
      },
      {
        key: "patch",
        uid: "rmm:patch-latency:contosocare",
        cls: "vulnerability",
        source: "defender",
        control: "ctl_v8_7_3",
        title: "Windows cumulative update more than 45 days overdue on 4 devices",
        description:
          "Four devices have not installed the last two Patch Tuesday cumulative updates; median patch latency " +
          "for the tenant is 38 days against a 14-day target.",
        types: ["Patch latency"],
        severity: "Medium",
        risk: 52,
        remediation:
          "Move the devices into the Broad update ring (7-day deferral, 3-day deadline), force a restart " +
          "window after clinic hours, and alert on devices > 21 days behind.",
        resources: ["fd02", "exam02", "exam04", "lt09"],
        ...newSinceScan(16),
      },
      {
        key: "ransom",
        uid: "defender:ransomware-blocked:cc-exam-02",
        cls: "detection",
        source: "defender",
        control: "ctl_v8_10_1",
        title: "Ransomware behaviour blocked on CC-EXAM-02",
        description:
          "Defender blocked a process that began mass-renaming files in the user's Documents folder after a " +
          "malicious macro opened from an emailed 'lab results' attachment. Device was isolated automatically.",
        types: ["Ransomware", "T1486 Data Encrypted for Impact"],
        severity: "Critical",
        status: RES,
        risk: 95,
        remediation:
          "Isolate the device, collect an investigation package, run a full scan, confirm no lateral movement, " +
          "reimage if persistence is found, then release from isolation.",
        resources: ["exam02"],
        firstSeenDaysAgo: 33,
        lastSeenDaysAgo: 32,
        resolution: {
          daysAgo: 31,
          note: "Device reimaged from Autopilot; no lateral movement in advanced hunting; sender domain blocked.",
          evidence: "Defender incident 1184 closed as True Positive; investigation package INV-2291",
        },
        events: [
          { daysAgo: 33, actor: "scanner", action: "detected", to: N },
          {
            daysAgo: 33,
            actor: "tech",
            action: "acknowledged",
            from: N,
            to: IP,
            comment: "Device isolated, calling the clinic.",
          },
          { daysAgo: 31, actor: "tech", action: "resolved", from: IP, to: RES, comment: "Reimaged; incident closed." },
        ],
      },
      {
        key: "sspr",
        uid: "secure-score:sspr:contosocare",
        cls: "compliance",
        source: "secure_score",
        title: "Self-service password reset is not enabled",
        description: "Users must call the help desk to reset passwords; SSPR is off for all users.",
        types: ["Identity"],
        severity: "Low",
        status: SUP,
        compliance: 2,
        risk: 15,
        remediation:
          "Enable SSPR for all users with two methods (Authenticator + phone); combine with the MFA registration campaign.",
        resources: ["m365"],
        firstSeenDaysAgo: 62,
        lastSeenDaysAgo: 0,
        suppression: {
          reason: "accepted_risk",
          justification:
            "Practice manager prefers help-desk resets until the MFA rollout completes; revisit at next QBR.",
          untilDays: 75,
        },
        events: [
          { daysAgo: 62, actor: "scanner", action: "detected", to: N },
          {
            daysAgo: 15,
            actor: "admin",
            action: "suppressed",
            from: N,
            to: SUP,
            comment: "accepted_risk: revisit after MFA rollout",
          },
        ],
      },
    ],
    posture: {
      maxScore: 312,
      startPct: 40,
      endPct: 42,
      categoryBias: { Identity: -12, Device: 4, Data: 6, Apps: -2, Infrastructure: 8 },
    },
    actions: actionsWith({
      "Turn on Microsoft 365 audit log search": { score: 3, state: "Completed" },
      "Turn on tamper protection": { score: 6, state: "Completed" },
      "Restrict anonymous 'Anyone' sharing links": { score: 2 },
      "Apply security updates within 14 days of release": { score: 3 },
      "Turn on BitLocker on all Windows devices": { score: 6 },
    }),
  },
  {
    tenantId: "fabrikam-law",
    resources: [
      {
        key: "m365",
        kind: "m365_tenant",
        name: "fabrikamlaw.onmicrosoft.com",
        ref: "2b8d4e61-9c0a-4d3f-8e77-a1b2c3d4e5f6",
      },
      { key: "domain", kind: "domain", name: "fabrikam-law.example" },
      { key: "conflicts", kind: "mailbox", name: "conflicts@fabrikam-law.example" },
      { key: "u_partner", kind: "user", name: "m.bennett@fabrikam-law.example" },
      { key: "u_admin1", kind: "user", name: "admin-jlee@fabrikam-law.example" },
      { key: "u_admin2", kind: "user", name: "admin-ops@fabrikam-law.example" },
      { key: "sp_matters", kind: "m365_tenant", name: "SharePoint: Matters site collection" },
      { key: "scanner", kind: "device", name: "FL-MFP-01 (Ricoh scanner)" },
    ],
    findings: [
      {
        key: "global_admins",
        uid: "cis-m365-1.1.3:fabrikam",
        cls: "compliance",
        source: "cis_m365",
        control: "ctl_m365_1_1_3",
        title: "Six accounts hold Global Administrator (CIS recommends two to four)",
        description:
          "Global Administrator is assigned permanently to six accounts including two partners' daily-use accounts and a former IT contractor.",
        types: ["Identity", "CIS M365 L1"],
        severity: "Medium",
        compliance: 3,
        risk: 58,
        remediation:
          "Remove the former contractor; move partners to no admin role; keep two break-glass plus one Harbor " +
          "IT admin as Global Administrator; make Exchange/User Administrator eligible through PIM.",
        resources: ["m365", "u_partner", "u_admin1", "u_admin2"],
        ...newSinceScan(70),
      },
      {
        key: "legacy_auth",
        uid: "cis-m365-5.2.2.3:fabrikam",
        cls: "compliance",
        source: "cis_m365",
        control: "ctl_m365_5_2_2_3",
        title: "Legacy authentication is not blocked (IMAP and SMTP AUTH sign-ins in the last 30 days)",
        description:
          "Sign-in logs show 312 successful legacy-protocol sign-ins in 30 days: the Ricoh scanner using SMTP " +
          "AUTH and two users on an old Mac Mail IMAP profile. Password-spray attempts against IMAP were seen " +
          "from three ASNs.",
        types: ["Identity", "CIS M365 L1"],
        severity: "High",
        status: IP,
        compliance: 3,
        risk: 80,
        assignee: "tech",
        remediation:
          "1. Reconfigure FL-MFP-01 to send through an Exchange Online connector (SMTP relay, port 25, static " +
          "IP).\n2. Re-add the two Mac users with modern authentication.\n3. Enable CA 'Block legacy " +
          "authentication' for all users.\n4. Disable SMTP AUTH tenant-wide: Set-TransportConfig " +
          "-SmtpClientAuthenticationDisabled $true.",
        resources: ["m365", "scanner"],
        firstSeenDaysAgo: 70,
        lastSeenDaysAgo: 0,
        events: [
          { daysAgo: 70, actor: "scanner", action: "detected", to: N },
          {
            daysAgo: 8,
            actor: "tech",
            action: "acknowledged",
            from: N,
            to: IP,
            comment: "Scanner relay connector scheduled for Friday evening.",
          },
          { daysAgo: 8, actor: "tech", action: "assigned", comment: "Assigned to Taylor Tech" },
        ],
      },
      {
        key: "spf",
        uid: "cis-m365-2.1.8:fabrikam-law.example",
        cls: "compliance",
        source: "cis_m365",
        control: "ctl_m365_2_1_8",
        title: "SPF record published for fabrikam-law.example",
        description: "v=spf1 include:spf.protection.outlook.com include:_spf.clio.example -all is published.",
        types: ["Email authentication"],
        severity: "Informational",
        remediation: "No action needed.",
        resources: ["domain"],
        ...passedOnFirstScan(70),
      },
      {
        key: "shared_mbx",
        uid: "cis-m365-1.2.2:fabrikam",
        cls: "compliance",
        source: "cis_m365",
        control: "ctl_m365_1_2_2",
        title: "Sign-in is allowed for shared mailbox conflicts@fabrikam-law.example",
        description:
          "The conflicts-check shared mailbox's user object has sign-in enabled; the practice-management system signs in to it with OAuth.",
        types: ["Identity", "CIS M365 L1"],
        severity: "Low",
        status: SUP,
        compliance: 2,
        risk: 20,
        remediation:
          "Block sign-in once the practice-management vendor supports application permissions (Graph Mail.ReadWrite with an application access policy).",
        resources: ["conflicts"],
        firstSeenDaysAgo: 70,
        lastSeenDaysAgo: 0,
        suppression: {
          reason: "third_party",
          justification:
            "Practice-management vendor requires delegated sign-in; account protected by CA (trusted IP + MFA). Vendor roadmap item PM-4471.",
          untilDays: 60,
        },
        events: [
          { daysAgo: 70, actor: "scanner", action: "detected", to: N },
          {
            daysAgo: 30,
            actor: "admin",
            action: "suppressed",
            from: N,
            to: SUP,
            comment: "third_party: mitigated by CA; revisit when vendor ships app permissions",
          },
        ],
      },
      {
        key: "admin_mfa",
        uid: "cis-m365-5.2.2.1:fabrikam",
        cls: "compliance",
        source: "cis_m365",
        control: "ctl_m365_5_2_2_1",
        title: "Two Global Administrators can sign in without MFA",
        description:
          "admin-jlee@ and admin-ops@ are excluded from the MFA policy 'temporarily' since a migration 5 months ago.",
        types: ["Identity", "CIS M365 L1"],
        severity: "Critical",
        compliance: 3,
        risk: 94,
        remediation:
          "Remove the exclusion group from CA 'Require MFA - admins' today; register FIDO2 keys for both " +
          "accounts; if an automation uses admin-ops@, replace it with a workload identity (app registration " +
          "with certificate).",
        resources: ["u_admin1", "u_admin2"],
        ...newSinceScan(6),
      },
      {
        key: "consent",
        uid: "cis-m365-5.1.5.1:fabrikam",
        cls: "compliance",
        source: "cis_m365",
        control: "ctl_m365_5_1_5_1",
        title: "Users can consent to third-party apps accessing mail and files",
        description:
          "User consent is allowed for all apps; 23 enterprise applications were consented by individual users, 4 with Mail.Read.",
        types: ["Apps", "CIS M365 L2"],
        severity: "Medium",
        compliance: 3,
        risk: 50,
        remediation:
          "Review the 4 apps with mail scopes and revoke unneeded grants; set user consent to 'Do not allow'; " +
          "enable the admin consent workflow with the office manager as reviewer.",
        resources: ["m365"],
        ...newSinceScan(70),
      },
      {
        key: "anyone_links",
        uid: "cis-m365-7.2.3:fabrikam",
        cls: "compliance",
        source: "cis_m365",
        control: "ctl_m365_7_2_3",
        title: "'Anyone' sharing links are enabled for the Matters site collection",
        description:
          "The Matters site allows anonymous links; 41 active 'Anyone' links exist, 6 on folders containing " +
          "client correspondence. The earlier risk acceptance lapsed.",
        types: ["Data protection", "CIS M365 L1"],
        severity: "High",
        status: SUP,
        compliance: 2,
        risk: 72,
        remediation:
          "Set the Matters site to 'New and existing guests'; report and expire existing Anyone links (PnP: " +
          "Get-PnPFileSharingLink); default link type 'Specific people' with 30-day expiry.",
        resources: ["sp_matters"],
        firstSeenDaysAgo: 85,
        lastSeenDaysAgo: 0,
        suppression: {
          reason: "accepted_risk",
          justification: "Litigation team needed anonymous links for an opposing-counsel data room until trial ended.",
          untilDays: -3,
        },
        events: [
          { daysAgo: 85, actor: "scanner", action: "detected", to: N },
          {
            daysAgo: 80,
            actor: "owner",
            action: "suppressed",
            from: N,
            to: SUP,
            comment: "accepted_risk until trial ends",
          },
        ],
      },
      {
        key: "safe_attach",
        uid: "mdo:safe-attachments-mode:fabrikam",
        cls: "compliance",
        source: "secure_score",
        title: "Safe Attachments uses Block mode; Dynamic Delivery would avoid delaying mail",
        description:
          "Informational: attachments are held for detonation, delaying delivery by up to 3 minutes; partners have complained.",
        types: ["Email protection"],
        severity: "Informational",
        compliance: 2,
        risk: 5,
        remediation: "Consider Dynamic Delivery for internal-facing mailboxes so the message body arrives immediately.",
        resources: ["m365"],
        ...newSinceScan(20),
      },
      {
        key: "impossible_travel",
        uid: "itdr:impossible-travel:m.bennett",
        cls: "detection",
        source: "itdr",
        title: "Impossible travel sign-in for m.bennett@fabrikam-law.example",
        description: "Successful sign-ins from Seattle and Frankfurt 40 minutes apart.",
        types: ["Identity threat", "T1078 Valid Accounts"],
        severity: "High",
        status: RES,
        risk: 70,
        remediation:
          "Confirm with the user; revoke sessions and reset password if not recognised; review inbox rules and OAuth grants.",
        resources: ["u_partner"],
        firstSeenDaysAgo: 27,
        lastSeenDaysAgo: 27,
        resolution: {
          daysAgo: 26,
          note: "False positive: partner was on the firm's Frankfurt-egress VPN during a conference.",
          evidence: "User confirmed by phone; VPN egress IP 198.51.100.24 added to named locations",
        },
        events: [
          { daysAgo: 27, actor: "scanner", action: "detected", to: N },
          { daysAgo: 26, actor: "tech", action: "resolved", from: N, to: RES, comment: "False positive (VPN)." },
        ],
      },
    ],
    posture: {
      maxScore: 298,
      startPct: 56,
      endPct: 55,
      dip: { centerDaysAgo: 35, depthPct: 12, widthDays: 10 },
      categoryBias: { Identity: -6, Device: 8, Data: -8, Apps: 2, Infrastructure: 4 },
    },
    actions: actionsWith({
      "Ensure all users can complete multifactor authentication": { score: 8 },
      "Turn on BitLocker on all Windows devices": { score: 9, state: "Completed" },
      "Apply security updates within 14 days of release": { score: 6 },
      "Turn on tamper protection": { score: 6, state: "Completed" },
      "Publish a DMARC policy with p=reject": { score: 5, state: "Completed" },
      "Turn on Microsoft 365 audit log search": { score: 3, state: "Completed" },
      "Close inbound RDP and SMB at the perimeter": { score: 6, state: "Completed" },
      "Turn on sign-in risk policy": { score: 0, state: "ThirdParty" },
    }),
  },
  {
    tenantId: "tailspin-logistics",
    resources: [
      {
        key: "m365",
        kind: "m365_tenant",
        name: "tailspinlogistics.onmicrosoft.com",
        ref: "9e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
      },
      { key: "domain", kind: "domain", name: "tailspin-logistics.example" },
      { key: "sql01", kind: "server", name: "WMS-SQL01 (Windows Server 2022)", ref: "wazuh-agent:014" },
      { key: "kiosk07", kind: "device", name: "TS-KIOSK-07 (warehouse)", ref: "intune:k07" },
      { key: "kiosks", kind: "device", name: "Warehouse kiosks (12)" },
      { key: "fw", kind: "server", name: "TS-FW-01 perimeter firewall" },
    ],
    findings: [
      {
        key: "win_pwlen",
        uid: "wazuh-sca:cis_win2022:1.1.4:wms-sql01",
        cls: "compliance",
        source: "wazuh_sca",
        control: "ctl_win_1_1_4",
        title: "WMS-SQL01: Minimum password length is 8 (CIS requires 14)",
        description:
          "Wazuh SCA policy cis_win2022_enterprise check 1.1.4 failed. Overall SCA score for WMS-SQL01: 64% (203 passed / 114 failed).",
        types: ["Configuration", "CIS Windows Server 2022 L1"],
        severity: "Medium",
        status: N,
        compliance: 3,
        risk: 40,
        remediation:
          "Set the Default Domain Policy minimum password length to 14; for the SQL service account use a gMSA instead of a password.",
        resources: ["sql01"],
        firstSeenDaysAgo: 14,
        lastSeenDaysAgo: 0,
        events: [{ daysAgo: 14, actor: "scanner", action: "detected", to: N, comment: "Wazuh SCA scan, agent 014" }],
      },
      {
        key: "win_ntlm",
        uid: "wazuh-sca:cis_win2022:2.3.11.7:wms-sql01",
        cls: "compliance",
        source: "wazuh_sca",
        control: "ctl_win_2_3_11_7",
        title: "WMS-SQL01 accepts LM and NTLMv1 authentication",
        description:
          "LAN Manager authentication level is 'Send LM & NTLM responses'. Two handheld scanners still authenticate with NTLMv1.",
        types: ["Configuration", "CIS Windows Server 2022 L1"],
        severity: "High",
        status: IP,
        compliance: 3,
        risk: 66,
        assignee: "tech",
        remediation:
          "Enable NTLM auditing for 7 days, update the handheld scanner firmware, then set 'Send NTLMv2 response only. Refuse LM & NTLM' by GPO.",
        resources: ["sql01"],
        firstSeenDaysAgo: 14,
        lastSeenDaysAgo: 0,
        events: [
          { daysAgo: 14, actor: "scanner", action: "detected", to: N },
          {
            daysAgo: 4,
            actor: "tech",
            action: "acknowledged",
            from: N,
            to: IP,
            comment: "Handheld firmware 4.2 supports NTLMv2; rollout booked with the warehouse supervisor.",
          },
          { daysAgo: 4, actor: "tech", action: "assigned", comment: "Assigned to Taylor Tech" },
        ],
      },
      {
        key: "win_psl",
        uid: "wazuh-sca:cis_win2022:18.10.87.1:wms-sql01",
        cls: "compliance",
        source: "wazuh_sca",
        control: "ctl_win_18_10_87_1",
        title: "WMS-SQL01: PowerShell script block logging is off",
        description: "Event 4104 is not being produced; PowerShell activity on the database server is not auditable.",
        types: ["Logging", "CIS Windows Server 2022 L1"],
        severity: "Low",
        compliance: 3,
        risk: 25,
        remediation: "Enable 'Turn on PowerShell Script Block Logging' by GPO and forward event 4104 to Wazuh.",
        resources: ["sql01"],
        ...newSinceScan(14),
      },
      {
        key: "mfa_all",
        uid: "cis-m365-5.2.2.2:tailspin",
        cls: "compliance",
        source: "cis_m365",
        control: "ctl_m365_5_2_2_2",
        title: "MFA enforced for all users",
        description: "Conditional Access now requires MFA for all 65 users; kiosks use shared device mode with FIDO2.",
        types: ["Identity", "CIS M365 L1"],
        severity: "High",
        status: RES,
        compliance: 1,
        risk: 0,
        remediation: "Keep the registration campaign running for new starters.",
        resources: ["m365"],
        firstSeenDaysAgo: 88,
        lastSeenDaysAgo: 0,
        resolution: {
          daysAgo: 52,
          note: "CA policy 'Require MFA - all users' enforced after 10-day report-only period.",
          evidence: "CA policy id 5f3c…; sign-in log shows 0 single-factor interactive sign-ins in 30 days",
        },
        events: [
          { daysAgo: 88, actor: "scanner", action: "detected", to: N },
          {
            daysAgo: 70,
            actor: "tech",
            action: "acknowledged",
            from: N,
            to: IP,
            comment: "Registration campaign started.",
          },
          { daysAgo: 52, actor: "tech", action: "resolved", from: IP, to: RES, comment: "Enforced." },
        ],
      },
      {
        key: "legacy_auth",
        uid: "cis-m365-5.2.2.3:tailspin",
        cls: "compliance",
        source: "cis_m365",
        control: "ctl_m365_5_2_2_3",
        title: "Legacy authentication blocked",
        description: "Conditional Access blocks legacy protocols; SMTP AUTH disabled tenant-wide.",
        types: ["Identity"],
        severity: "High",
        status: RES,
        compliance: 1,
        risk: 0,
        remediation: "None.",
        resources: ["m365"],
        firstSeenDaysAgo: 88,
        lastSeenDaysAgo: 0,
        resolution: {
          daysAgo: 45,
          note: "Label printers moved to SMTP relay connector; CA block enabled.",
          evidence: "Change CHG-1021",
        },
        events: [
          { daysAgo: 88, actor: "scanner", action: "detected", to: N },
          { daysAgo: 45, actor: "tech", action: "resolved", from: N, to: RES, comment: "CHG-1021 completed." },
        ],
      },
      {
        key: "bitlocker",
        uid: "intune:bitlocker:tailspin-kiosks",
        cls: "compliance",
        source: "secure_score",
        control: "ctl_v8_3_11",
        title: "BitLocker enabled on all warehouse kiosks",
        description: "All 12 kiosks report encrypted with recovery keys in Entra ID.",
        types: ["Data protection"],
        severity: "Medium",
        status: RES,
        compliance: 1,
        risk: 0,
        remediation: "None.",
        resources: ["kiosks"],
        firstSeenDaysAgo: 80,
        lastSeenDaysAgo: 0,
        resolution: {
          daysAgo: 30,
          note: "Silent BitLocker policy assigned to Kiosks group.",
          evidence: "Intune encryption report export 2026-10",
        },
        events: [
          { daysAgo: 80, actor: "scanner", action: "detected", to: N },
          { daysAgo: 30, actor: "tech", action: "resolved", from: N, to: RES },
        ],
      },
      {
        key: "rdp",
        uid: "ext-scan:rdp-exposed:wms-sql01",
        cls: "vulnerability",
        source: "defender",
        control: "ctl_v8_12_2",
        title: "RDP (TCP 3389) on WMS-SQL01 reachable from the internet",
        description:
          "External attack-surface scan found 3389 forwarded to WMS-SQL01 through TS-FW-01 for a WMS vendor's " +
          "support access; brute-force attempts are logged hourly.",
        types: ["Exposure", "T1133 External Remote Services"],
        severity: "Critical",
        status: IP,
        risk: 92,
        assignee: "admin",
        remediation:
          "Remove the port forward now; give the WMS vendor access through the MFA-protected VPN or a brokered " +
          "support session; enable account lockout on the server.",
        resources: ["sql01", "fw"],
        firstSeenDaysAgo: 3,
        lastSeenDaysAgo: 0,
        events: [
          { daysAgo: 3, actor: "scanner", action: "detected", to: N },
          {
            daysAgo: 2,
            actor: "admin",
            action: "acknowledged",
            from: N,
            to: IP,
            comment: "Vendor notified; rule removal scheduled for tonight's change window.",
          },
          { daysAgo: 2, actor: "admin", action: "assigned", comment: "Assigned to Morgan Admin" },
        ],
      },
      {
        key: "ransom_kiosk",
        uid: "defender:ransomware:ts-kiosk-07",
        cls: "detection",
        source: "defender",
        control: "ctl_v8_10_1",
        title: "Ransomware encryption activity on TS-KIOSK-07 (device isolated)",
        description:
          "Human-operated ransomware staging detected: credential dumping followed by encryption of the " +
          "kiosk's local share. Defender contained the device; the attack originated from a USB stick found in " +
          "the warehouse.",
        types: ["Ransomware", "T1486 Data Encrypted for Impact", "T1091 Replication Through Removable Media"],
        severity: "Fatal",
        status: RES,
        risk: 100,
        remediation:
          "Isolate, reimage, rotate any credentials used on the kiosk, block USB mass storage on kiosks by Intune device control.",
        resources: ["kiosk07"],
        firstSeenDaysAgo: 58,
        lastSeenDaysAgo: 58,
        resolution: {
          daysAgo: 55,
          note: "Kiosk reimaged; USB storage blocked on all kiosks; no spread found.",
          evidence: "Defender incident 902; Intune device control policy 'Kiosk - block removable storage'",
        },
        events: [
          { daysAgo: 58, actor: "scanner", action: "detected", to: N },
          {
            daysAgo: 58,
            actor: "admin",
            action: "acknowledged",
            from: N,
            to: IP,
            comment: "Major incident declared; client informed.",
          },
          { daysAgo: 55, actor: "admin", action: "resolved", from: IP, to: RES, comment: "Contained and remediated." },
        ],
      },
    ],
    posture: {
      maxScore: 335,
      startPct: 38,
      endPct: 71,
      categoryBias: { Identity: 8, Device: 2, Data: -4, Apps: -6, Infrastructure: -10 },
    },
    actions: actionsWith({
      "Ensure multifactor authentication is enabled for all users in administrative roles": {
        score: 10,
        state: "Completed",
      },
      "Ensure all users can complete multifactor authentication": { score: 9, state: "Completed" },
      "Block legacy authentication": { score: 8, state: "Completed" },
      "Turn on BitLocker on all Windows devices": { score: 9, state: "Completed" },
      "Turn on tamper protection": { score: 6, state: "Completed" },
      "Apply security updates within 14 days of release": { score: 6 },
      "Publish a DMARC policy with p=reject": { score: 3 },
      "Turn on Microsoft 365 audit log search": { score: 3, state: "Completed" },
    }),
  },
];

/** Deterministic noise in [-1, 1] from a string, so seeded curves look organic but never change between runs. */
function noise(key: string): number {
  return (parseInt(sha256Hex(key).slice(0, 8), 16) / 0xffffffff) * 2 - 1;
}

const CATEGORY_WEIGHTS: Record<Category, number> = {
  Identity: 0.3,
  Device: 0.28,
  Apps: 0.2,
  Data: 0.12,
  Infrastructure: 0.1,
};

function postureFor(seed: TenantSeed, daysAgo: number) {
  const p = seed.posture;
  const t = (89 - daysAgo) / 89;
  // An S-curve for improvement stories, flat-ish otherwise.
  const eased = t * t * (3 - 2 * t);
  let pct = p.startPct + (p.endPct - p.startPct) * eased + noise(`${seed.tenantId}:${daysAgo}`) * 1.2;
  if (p.dip) {
    const d = Math.abs(daysAgo - p.dip.centerDaysAgo);
    if (d < p.dip.widthDays) pct -= p.dip.depthPct * (1 - d / p.dip.widthDays);
  }
  const byCategory = CATEGORIES.map((category) => {
    const max = Math.round(p.maxScore * CATEGORY_WEIGHTS[category]);
    const catPct = Math.min(
      100,
      Math.max(0, pct + (p.categoryBias[category] ?? 0) + noise(`${seed.tenantId}:${daysAgo}:${category}`)),
    );
    return { category, score: Math.round((max * catPct) / 100), max_score: max };
  });
  const score = byCategory.reduce((n, c) => n + c.score, 0);
  const maxScore = byCategory.reduce((n, c) => n + c.max_score, 0);
  return { score, maxScore, byCategory };
}

export async function seedAegis(db: DbLike, now: number): Promise<{ tenants: string[] }> {
  await db
    .insert(aegisControls)
    .values(
      SEED_CONTROLS.map((c) => ({
        id: c.id,
        framework: c.framework,
        controlRef: c.ref,
        title: c.title,
        category: c.category,
        profile: c.profile,
        description: c.description,
        rationale: c.rationale,
        remediation: c.remediation,
        maxScore: c.max,
        implementationCost: c.cost,
        userImpact: c.impact,
      })),
    )
    .onConflictDoNothing();

  const present = new Set(
    (
      await db
        .select({ id: tenants.id })
        .from(tenants)
        .where(
          inArray(
            tenants.id,
            TENANT_SEEDS.map((s) => s.tenantId),
          ),
        )
    ).map((t) => t.id),
  );
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const seeded: string[] = [];
  for (const seed of TENANT_SEEDS) {
    if (!present.has(seed.tenantId)) continue;
    const firstFinding = `fnd_${seed.tenantId}_${seed.findings[0]!.key}`;
    const [already] = await db
      .select({ id: aegisFindings.id })
      .from(aegisFindings)
      .where(eq(aegisFindings.id, firstFinding))
      .limit(1);
    if (already) continue;
    await db.transaction(async (tx) => {
      const rid = (key: string) => `res_${seed.tenantId}_${key}`;
      await tx
        .insert(aegisResources)
        .values(
          seed.resources.map((r) => ({
            id: rid(r.key),
            tenantId: seed.tenantId,
            kind: r.kind,
            name: r.name,
            externalRef: r.ref ?? null,
          })),
        )
        .onConflictDoNothing();
      for (const f of seed.findings) {
        const id = `fnd_${seed.tenantId}_${f.key}`;
        const assignee = f.assignee ? ACTORS[f.assignee] : null;
        const lastEvent = f.events.length ? Math.min(...f.events.map((e) => e.daysAgo)) : f.firstSeenDaysAgo;
        await tx
          .insert(aegisFindings)
          .values({
            id,
            tenantId: seed.tenantId,
            uid: f.uid,
            classUid: CLASS_UIDS[f.cls],
            source: f.source,
            controlId: f.control ?? null,
            title: f.title,
            description: f.description,
            types: JSON.stringify(f.types),
            severityId: SEVERITY_IDS[f.severity],
            statusId: f.status,
            complianceStatusId: f.compliance ?? null,
            remediation: f.remediation,
            riskScore: f.risk,
            assigneeUserId: assignee?.userId ?? null,
            assigneeName: assignee?.name ?? null,
            suppressionReason: f.suppression?.reason ?? null,
            suppressionJustification: f.suppression?.justification ?? null,
            suppressedUntil: f.suppression ? today + f.suppression.untilDays * DAY_MS : null,
            resolutionNote: f.resolution?.note ?? null,
            resolutionEvidence: f.resolution?.evidence ?? null,
            resolvedAt: f.resolution ? today - f.resolution.daysAgo * DAY_MS + 15 * 3_600_000 : null,
            firstSeenAt: today - f.firstSeenDaysAgo * DAY_MS + 9 * 3_600_000,
            lastSeenAt: Math.min(now, today - f.lastSeenDaysAgo * DAY_MS + 2 * 3_600_000),
            createdAt: today - f.firstSeenDaysAgo * DAY_MS + 9 * 3_600_000,
            updatedAt: Math.min(now, today - lastEvent * DAY_MS + 10 * 3_600_000),
          })
          .onConflictDoNothing();
        await tx
          .insert(aegisFindingResources)
          .values(f.resources.map((r) => ({ findingId: id, resourceId: rid(r), tenantId: seed.tenantId })))
          .onConflictDoNothing();
        await tx
          .insert(aegisFindingEvents)
          .values(
            f.events.map((e, i) => ({
              id: `fev_${seed.tenantId}_${f.key}_${i + 1}`,
              findingId: id,
              tenantId: seed.tenantId,
              actorUserId: ACTORS[e.actor].userId,
              actorName: ACTORS[e.actor].name,
              action: e.action,
              fromStatusId: e.from ?? null,
              toStatusId: e.to ?? null,
              comment: e.comment ?? null,
              // Events of one day keep their order: 09:00 + 10 minutes per step, never after now.
              at: Math.min(now - (f.events.length - i), today - e.daysAgo * DAY_MS + 9 * 3_600_000 + i * 600_000),
            })),
          )
          .onConflictDoNothing();
      }
      const snapshots = [];
      for (let daysAgo = 89; daysAgo >= 0; daysAgo--) {
        const day = today - daysAgo * DAY_MS;
        const p = postureFor(seed, daysAgo);
        snapshots.push({
          id: `pss_${seed.tenantId}_${daysAgo}`,
          tenantId: seed.tenantId,
          day: new Date(day).toISOString().slice(0, 10),
          capturedAt: day,
          score: p.score,
          maxScore: p.maxScore,
          byCategory: JSON.stringify(p.byCategory),
        });
      }
      await tx.insert(aegisPostureSnapshots).values(snapshots).onConflictDoNothing();
      await tx
        .insert(aegisImprovementActions)
        .values(
          seed.actions.map((a, i) => ({
            id: `iac_${seed.tenantId}_${i + 1}`,
            tenantId: seed.tenantId,
            controlId: a.controlId ?? null,
            title: a.title,
            category: a.category,
            actionType: a.actionType,
            service: a.service,
            score: a.score,
            maxScore: a.max,
            implementationCost: a.cost,
            userImpact: a.impact,
            tier: a.tier,
            rank: i + 1,
            state: a.state,
            remediation: a.remediation,
          })),
        )
        .onConflictDoNothing();
    });
    seeded.push(seed.tenantId);
  }
  return { tenants: seeded };
}
