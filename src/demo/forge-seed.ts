import { inArray } from "drizzle-orm";
import type { DbLike } from "../store/index";
import { forgeDocumentVersions, forgeDocuments } from "../store/schema/forge";
import { tenants } from "../store/schema/tenancy";
import { type RunbookStep, stepsToColumn } from "../surfaces/forge/documents";
import { renderSteps } from "../surfaces/forge/save-document";

/**
 * Demo knowledge base: MSP-wide runbooks and articles (tenant_id = the MSP) plus client-specific ones, some
 * with two versions. Deterministic ids; `onConflictDoNothing` everywhere, so seeding twice changes nothing and
 * never overwrites a document someone has edited since. Tenants absent from the store are skipped.
 */

type DocSeed = {
  id: string;
  tenantId: string;
  kind: "article" | "runbook";
  title: string;
  summary: string;
  body?: string;
  steps?: (string | [string, string])[];
  tags: string;
  visibility: "internal" | "client";
  author: string;
  createdDaysAgo: number;
  /** Earlier version (v1) when the document has been revised; the main fields are the current version. */
  previous?: {
    title?: string;
    summary?: string;
    body?: string;
    steps?: (string | [string, string])[];
    daysAgo: number;
    changeNote: string;
  };
};

const DOCS: DocSeed[] = [
  {
    id: "rb_m365_cis_l1_hardening",
    tenantId: "harbor-it",
    kind: "runbook",
    title: "New client M365 hardening (CIS L1 baseline)",
    summary:
      "Use during onboarding of any Microsoft 365 client, or when a posture review shows CIS M365 L1 failures in Identity or Email.",
    steps: [
      "Create two cloud-only break-glass Global Administrators with FIDO2 keys; store keys in separate safes; exclude them from Conditional Access except a phishing-resistant MFA policy (CIS 1.1.2).",
      "Reduce Global Administrators to 2-4; move everyone else to least-privileged roles, eligible through PIM (CIS 1.1.3).",
      ["Enable Conditional Access 'Require MFA for admins' (report-only 48 h, then On) (CIS 5.2.2.1).", "msp_admin"],
      "Start an Authenticator registration campaign, then enable 'Require MFA - all users' after 7 days in report-only (CIS 5.2.2.2).",
      "Review sign-in logs filtered to legacy clients; move scanners/printers to an SMTP relay connector; then enable 'Block legacy authentication' and disable SMTP AUTH (CIS 5.2.2.3).",
      "Turn on unified audit log search (CIS 3.1.1).",
      "Publish SPF with -all, enable DKIM for every accepted domain, publish DMARC p=none with rua reporting (CIS 2.1.8-2.1.10).",
      "Set outbound spam policy automatic forwarding to Off (CIS 6.2.1) and block sign-in for shared mailboxes (CIS 1.2.2).",
      "Disable user consent to apps; enable the admin consent workflow (CIS 5.1.5.1).",
      "Set SharePoint/OneDrive sharing to 'New and existing guests' with 'Specific people' links by default (CIS 7.2.3).",
      "Assign Intune BitLocker and Windows Update for Business ring policies; onboard devices to Defender with tamper protection.",
      "Run the AEGIS CIS scan and record the baseline score in the client's onboarding ticket.",
    ],
    tags: "m365 cis onboarding hardening mfa conditional-access dmarc bitlocker",
    visibility: "internal",
    author: "Morgan Admin",
    createdDaysAgo: 200,
    previous: {
      steps: [
        "Enable Security Defaults.",
        "Create one break-glass account.",
        "Enable audit log search.",
        "Publish SPF and DMARC.",
        "Run the CIS scan.",
      ],
      daysAgo: 200,
      changeNote: "Initial version (Security Defaults based).",
    },
  },
  {
    id: "rb_suspicious_inbox_rule",
    tenantId: "harbor-it",
    kind: "runbook",
    title: "Respond to suspicious inbox rule",
    summary:
      "Use when Defender or AEGIS reports a new inbox rule forwarding, deleting or hiding mail (business email compromise indicator).",
    steps: [
      "Call the mailbox owner on a known number (not by email) to confirm they did not create the rule.",
      [
        "Revoke all sessions (Revoke-MgUserSignInSession) and reset the password; require MFA re-registration.",
        "technician",
      ],
      "Export then remove the rule: Get-InboxRule -Mailbox <user> | fl; Remove-InboxRule -Identity <rule>.",
      "Check for other persistence: mailbox forwarding (Get-Mailbox | fl ForwardingSmtpAddress), OAuth app grants, new MFA methods, mobile device partnerships.",
      "Search the unified audit log for the attacker IP: MailItemsAccessed, Send, New-InboxRule over the last 30 days; list the messages read or sent.",
      "Block external auto-forwarding tenant-wide if not already (outbound spam policy).",
      "If invoices or payment details were involved, warn the finance contacts of affected suppliers and clients by phone.",
      [
        "Decide with the client whether the incident is notifiable (HIPAA / GDPR 72 h); record the decision in the AEGIS finding.",
        "msp_admin",
      ],
      "Resolve the AEGIS finding with evidence: rule export, audit-log search id, password reset time.",
    ],
    tags: "bec email incident-response inbox-rule forwarding exchange",
    visibility: "internal",
    author: "Taylor Tech",
    createdDaysAgo: 150,
  },
  {
    id: "rb_user_offboarding",
    tenantId: "harbor-it",
    kind: "runbook",
    title: "User offboarding",
    summary:
      "Use when a client asks to remove a leaver's access: same day for involuntary leavers, on the last working day otherwise.",
    steps: [
      "Confirm the request with an authorised client contact and the leaving date/time.",
      "Block sign-in and revoke sessions in Entra ID; reset the password.",
      "Remove the user from groups, Teams ownership and admin roles; transfer ownership of shared files.",
      "Convert the mailbox to a shared mailbox (or set auto-reply and forwarding to the manager for 30 days), then remove the licence.",
      "Wipe or retire company devices in Intune; collect hardware and record serial numbers.",
      "Remove the user from third-party apps (EHR, practice management, WMS) and the door-access system.",
      "Update the ticket and confirm completion to the client contact.",
    ],
    tags: "offboarding leaver access-removal entra intune licence",
    visibility: "client",
    author: "Taylor Tech",
    createdDaysAgo: 300,
  },
  {
    id: "rb_block_legacy_auth",
    tenantId: "harbor-it",
    kind: "runbook",
    title: "Disable legacy authentication safely",
    summary:
      "Use when AEGIS reports CIS 5.2.2.3 / Secure Score 'Block legacy authentication' failing, before turning on the Conditional Access block.",
    steps: [
      "Entra sign-in logs: filter Client app = 'Other clients', 'IMAP4', 'POP3', 'Authenticated SMTP', 'Exchange ActiveSync' for 30 days; export the users and apps.",
      "Multifunction printers/scanners: configure an Exchange Online inbound connector (SMTP relay, static IP) or direct send.",
      "Old Outlook/Mac Mail profiles: re-create with modern authentication.",
      "Line-of-business apps sending mail: move to Graph sendMail with an app registration or to the relay.",
      "Create CA policy 'Block legacy authentication' in report-only; after 7 clean days switch On.",
      "Set-TransportConfig -SmtpClientAuthenticationDisabled $true; allow per-mailbox exceptions only with a ticket.",
      "Rescan in AEGIS and resolve the finding with the CA policy id as evidence.",
    ],
    tags: "legacy-authentication smtp-auth imap conditional-access identity mfa",
    visibility: "internal",
    author: "Taylor Tech",
    createdDaysAgo: 120,
  },
  {
    id: "rb_bitlocker_intune",
    tenantId: "harbor-it",
    kind: "runbook",
    title: "Enable BitLocker with Intune",
    summary:
      "Use when devices report 'Not encrypted' in the Intune encryption report or AEGIS raises CIS v8 3.11 findings.",
    steps: [
      "Check TPM 2.0 and UEFI Secure Boot on the affected devices (Intune > Devices > Hardware).",
      "Assign the 'Windows - BitLocker silent' disk encryption profile (XTS-AES 256, OS drive, recovery key escrow to Entra ID, hide prompts).",
      "Force a sync; encryption starts at next sign-in and runs in the background.",
      "Confirm recovery keys appear under the device in Entra ID before closing.",
      "Re-run the encryption report; resolve the AEGIS finding with the report export as evidence.",
    ],
    tags: "bitlocker encryption intune device hipaa",
    visibility: "internal",
    author: "Taylor Tech",
    createdDaysAgo: 110,
  },
  {
    id: "kb_quote_approval_policy",
    tenantId: "harbor-it",
    kind: "article",
    title: "Quote approval policy: discounts over 15% need MSP Admin",
    summary: "Who may approve which quotes, and the discount and term limits for technicians.",
    body: "## Policy\n\n- Technicians may draft quotes at list price or with discounts up to **15%** per line.\n- Discounts above 15%, any free months, or terms longer than 36 months need an **MSP Admin** to approve the draft before it is sent.\n- Hardware is quoted at list; never below cost (cavalier shows unit cost).\n- Quotes are valid for 30 days; re-price rather than extend an expired quote.\n\n## Why\n\nMargins on Operations Pro seats are ~40%; a 20% discount halves them.",
    tags: "quote discount approval pricing sales policy",
    visibility: "internal",
    author: "Morgan Admin",
    createdDaysAgo: 240,
    previous: {
      body: "Technicians may discount up to 10%. Anything more needs an MSP Admin.",
      daysAgo: 240,
      changeNote: "Initial version.",
    },
  },
  {
    id: "kb_authenticator_setup",
    tenantId: "harbor-it",
    kind: "article",
    title: "Setting up Microsoft Authenticator (for staff)",
    summary: "Step-by-step guide for end users registering the Authenticator app for multifactor authentication.",
    body: "1. Install **Microsoft Authenticator** from the App Store or Google Play.\n2. On a computer, go to https://aka.ms/mysecurityinfo and sign in.\n3. Choose **Add sign-in method > Authenticator app** and scan the QR code with the app.\n4. Approve the test notification by typing the number shown on screen.\n\nLost your phone? Call the Harbor IT help desk; we will verify your identity and issue a Temporary Access Pass.",
    tags: "mfa authenticator end-user how-to identity",
    visibility: "client",
    author: "Taylor Tech",
    createdDaysAgo: 180,
  },
  {
    id: "kb_patch_policy",
    tenantId: "harbor-it",
    kind: "article",
    title: "Patch policy and service levels",
    summary:
      "How quickly Harbor IT installs Windows, application and firmware updates, and what patch latency we report.",
    body: "- **Critical / actively exploited:** within 72 hours.\n- **Windows cumulative updates:** pilot ring day 0, broad ring day 7, deadline day 10; target median patch latency under 14 days.\n- **Browsers and common apps:** automatic, within 3 days.\n- **Servers:** monthly maintenance window, second Sunday, 22:00-02:00 local time.\n\nDevices more than 21 days behind appear as AEGIS findings (CIS v8 7.3/7.4) and in your quarterly business review.",
    tags: "patching updates windows-update sla patch-latency",
    visibility: "client",
    author: "Morgan Admin",
    createdDaysAgo: 160,
  },
  {
    id: "kb_report_phishing",
    tenantId: "harbor-it",
    kind: "article",
    title: "How to report a phishing email",
    summary: "What staff should do with a suspicious email, and what to do if they already clicked.",
    body: "Use the **Report** button in Outlook and choose *Phishing*. Do not forward the email.\n\nAlready clicked a link or entered your password? Call the help desk immediately: we will reset your password and revoke sessions. Speed matters more than embarrassment.",
    tags: "phishing email security-awareness end-user",
    visibility: "client",
    author: "Taylor Tech",
    createdDaysAgo: 90,
  },
  {
    id: "kb_dmarc_rollout",
    tenantId: "harbor-it",
    kind: "article",
    title: "DMARC rollout: from p=none to p=reject",
    summary:
      "Technician guide for moving a client domain to an enforcing DMARC policy without breaking legitimate mail.",
    body: "1. Publish `v=DMARC1; p=none; rua=mailto:dmarc@<domain>` and wait 2-4 weeks.\n2. In the aggregate reports, list every source that fails SPF or DKIM alignment (EHR reminders, billing platforms, newsletters).\n3. Fix each: add SPF includes (stay under 10 DNS lookups) or enable the vendor's custom DKIM.\n4. Move to `p=quarantine; pct=25`, then 100, then `p=reject`.\n5. Resolve the AEGIS CIS 2.1.10 finding with the published record as evidence.",
    tags: "dmarc spf dkim email-authentication exchange",
    visibility: "internal",
    author: "Taylor Tech",
    createdDaysAgo: 100,
  },
  {
    id: "kb_contosocare_ehr_escalation",
    tenantId: "contosocare",
    kind: "article",
    title: "ContosoCare EHR vendor escalation contacts",
    summary: "Who to call at the EHR vendor, and the clinic's account numbers, when the EHR is down or slow.",
    body: "- Vendor support: +1 555 0142 (24x7), customer id **CC-40418**.\n- Escalation after 30 minutes of P1 outage: vendor duty manager, +1 555 0199.\n- Clinic decision maker for downtime procedures: Practice Manager Maya Chen.\n- The EHR sends appointment reminders from reminders.ehr-vendor.example: keep its SPF include and DKIM selector when changing DNS.",
    tags: "ehr escalation vendor outage contosocare",
    visibility: "internal",
    author: "Taylor Tech",
    createdDaysAgo: 140,
  },
  {
    id: "rb_contosocare_ehr_downtime",
    tenantId: "contosocare",
    kind: "runbook",
    title: "ContosoCare: EHR outage downtime procedure",
    summary: "Use when the EHR is unavailable at any ContosoCare site for more than 10 minutes.",
    steps: [
      "Confirm scope: one workstation, one site, or all sites (check the vendor status page).",
      "Log a P1 ticket and call the EHR vendor (see 'ContosoCare EHR vendor escalation contacts').",
      "Tell front desks to switch to the printed downtime schedule (printed nightly at 18:00 to the front-desk printer).",
      "Every 30 minutes, send a status update to the Practice Manager.",
      "After recovery, reconcile paper notes into the EHR the same day.",
    ],
    tags: "ehr outage downtime p1 contosocare",
    visibility: "client",
    author: "Taylor Tech",
    createdDaysAgo: 130,
  },
  {
    id: "kb_fabrikam_after_hours",
    tenantId: "fabrikam-law",
    kind: "article",
    title: "Fabrikam after-hours escalation",
    summary: "How Fabrikam partners reach Harbor IT outside business hours, and what counts as urgent.",
    body: "Call the after-hours line +1 555 0177. Urgent = a partner cannot access email or documents before a court deadline, a suspected breach, or a site-wide outage. Everything else is handled next business day. Court-deadline requests are P1 regardless of the number of users affected.",
    tags: "after-hours escalation on-call fabrikam legal",
    visibility: "client",
    author: "Morgan Admin",
    createdDaysAgo: 170,
  },
  {
    id: "kb_fabrikam_dms_access",
    tenantId: "fabrikam-law",
    kind: "article",
    title: "Fabrikam document management: matter access requests",
    summary: "Ethical walls mean matter workspaces need partner approval before access is granted.",
    body: "Access to a matter workspace requires written approval from the responsible partner (email is fine). Never add users to the 'All Matters' group. Conflicts team (conflicts@) must be copied on every access change for matters flagged with an ethical wall.",
    tags: "dms access-request ethical-wall fabrikam legal",
    visibility: "internal",
    author: "Taylor Tech",
    createdDaysAgo: 160,
  },
  {
    id: "kb_tailspin_kiosks",
    tenantId: "tailspin-logistics",
    kind: "article",
    title: "Tailspin warehouse kiosks: shared device mode and FIDO2",
    summary: "How the 12 warehouse kiosks are configured and how to replace a lost FIDO2 key.",
    body: "Kiosks run Windows 11 in shared PC mode enrolled in Intune (group 'Kiosks'). Pickers sign in with FIDO2 keys; USB mass storage is blocked since the TS-KIOSK-07 ransomware incident. Lost key: issue a spare from the site safe, revoke the old key in Entra ID (Authentication methods), record it on the ticket.",
    tags: "kiosk fido2 intune shared-device tailspin warehouse",
    visibility: "internal",
    author: "Taylor Tech",
    createdDaysAgo: 50,
  },
  {
    id: "rb_tailspin_sql_restore_test",
    tenantId: "tailspin-logistics",
    kind: "runbook",
    title: "Tailspin WMS-SQL01 monthly restore test",
    summary: "Use on the first Monday of every month to prove the WMS database backups restore (CIS v8 11.2 evidence).",
    steps: [
      "Restore last night's WMS database backup to the isolated test VM WMS-SQL-TEST.",
      "Run DBCC CHECKDB and the WMS vendor's consistency report.",
      "Record restore duration and backup age in the ticket (RTO target 4 h, RPO 24 h).",
      "Attach the report to the AEGIS evidence pack for the quarter.",
    ],
    tags: "backup restore sql wms tailspin cis-11.2",
    visibility: "internal",
    author: "Taylor Tech",
    createdDaysAgo: 60,
  },
];

function stepsOf(raw: (string | [string, string])[]): RunbookStep[] {
  return raw.map((s, i) =>
    typeof s === "string" ? { n: i + 1, text: s } : { n: i + 1, text: s[0], requiresRole: s[1] },
  );
}

export async function seedForge(db: DbLike, now: number): Promise<{ documents: number }> {
  const present = new Set(
    (
      await db
        .select({ id: tenants.id })
        .from(tenants)
        .where(inArray(tenants.id, [...new Set(DOCS.map((d) => d.tenantId))]))
    ).map((t) => t.id),
  );
  const day = 86_400_000;
  let inserted = 0;
  await db.transaction(async (tx) => {
    for (const d of DOCS) {
      if (!present.has(d.tenantId)) continue;
      const versions: {
        version: number;
        title: string;
        summary: string;
        body: string;
        steps: RunbookStep[] | null;
        at: number;
        changeNote: string;
      }[] = [];
      if (d.previous) {
        const steps = d.previous.steps
          ? stepsOf(d.previous.steps)
          : d.kind === "runbook" && d.steps
            ? stepsOf(d.steps)
            : null;
        versions.push({
          version: 1,
          title: d.previous.title ?? d.title,
          summary: d.previous.summary ?? d.summary,
          body: steps ? renderSteps(steps) : (d.previous.body ?? d.body ?? ""),
          steps,
          at: now - d.previous.daysAgo * day,
          changeNote: d.previous.changeNote,
        });
      }
      const steps = d.steps ? stepsOf(d.steps) : null;
      const currentAt = d.previous
        ? now - Math.max(1, Math.floor(d.createdDaysAgo / 3)) * day
        : now - d.createdDaysAgo * day;
      versions.push({
        version: versions.length + 1,
        title: d.title,
        summary: d.summary,
        body: steps ? renderSteps(steps) : (d.body ?? ""),
        steps,
        at: currentAt,
        changeNote: d.previous ? "Revised after CIS M365 v5 and incident lessons learned." : "Initial version.",
      });
      const current = versions[versions.length - 1]!;
      const res = await tx
        .insert(forgeDocuments)
        .values({
          id: d.id,
          tenantId: d.tenantId,
          kind: d.kind,
          title: current.title,
          summary: current.summary,
          body: current.body,
          steps: current.steps ? stepsToColumn(current.steps) : null,
          tags: d.tags,
          visibility: d.visibility,
          version: current.version,
          updatedBy: d.author,
          createdAt: now - d.createdDaysAgo * day,
          updatedAt: current.at,
        })
        .onConflictDoNothing()
        .returning({ id: forgeDocuments.id });
      inserted += res.length;
      await tx
        .insert(forgeDocumentVersions)
        .values(
          versions.map((v) => ({
            id: `dv_${d.id}_${v.version}`,
            documentId: d.id,
            tenantId: d.tenantId,
            version: v.version,
            title: v.title,
            summary: v.summary,
            body: v.body,
            steps: v.steps ? stepsToColumn(v.steps) : null,
            tags: d.tags,
            visibility: d.visibility,
            changeNote: v.changeNote,
            createdBy: d.author,
            createdAt: v.at,
          })),
        )
        .onConflictDoNothing();
    }
  });
  return { documents: inserted };
}
