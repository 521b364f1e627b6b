import { and, gte, lt, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/server/db/client";
import { partnerMilestones, partnerNudges } from "@/server/db/schema";
import { requestEmail } from "@/server/email";

/**
 * Activation milestones: the first time a partner reached each step of the journey, recorded
 * where the step happens (never recomputed from logs). One row per (partner, milestone), written
 * with insert … on conflict do nothing, so the first time stays and a second call is harmless.
 */
export const MILESTONES = [
  "signed_up",
  "email_verified",
  "first_sandbox_api_call",
  "first_sandbox_order",
  "first_webhook_endpoint",
  "go_live_requested",
  "go_live_approved",
  "first_live_funding",
  "first_live_order",
] as const;

export type Milestone = (typeof MILESTONES)[number];

/** What the partner's onboarding checklist calls each step. */
const MILESTONE_LABELS: Record<Milestone, string> = {
  signed_up: "Sign up",
  email_verified: "Verify your email",
  first_sandbox_api_call: "Make a sandbox API call",
  first_sandbox_order: "Order a test gift card",
  first_webhook_endpoint: "Add a webhook endpoint",
  go_live_requested: "Request live access",
  go_live_approved: "Live access approved",
  first_live_funding: "Fund your live wallet",
  first_live_order: "Place your first live order",
};

/**
 * Records a milestone now (or at `at`). Use it inside the transaction that makes the step happen,
 * so the milestone commits with it. Returns whether this call was the first.
 */
export async function recordMilestone(db: DbOrTx, partnerId: string, milestone: Milestone, at?: Date): Promise<boolean> {
  const rows = await db
    .insert(partnerMilestones)
    .values({ partnerId, milestone, ...(at ? { at } : {}) })
    .onConflictDoNothing()
    .returning({ partnerId: partnerMilestones.partnerId });
  return rows.length > 0;
}

/** Records a milestone for every partner the user belongs to (a verified email counts for each). */
export async function recordMilestoneForUser(db: DbOrTx, userId: string, milestone: Milestone): Promise<void> {
  await db.execute(sql`insert into ${partnerMilestones} (partner_id, milestone)
    select partner_id, ${milestone} from memberships where user_id = ${userId}
    on conflict do nothing`);
}

/**
 * Per process: the (partner, milestone) pairs known to be recorded, or being recorded. Hot paths
 * (every API request, every order) go through `noteMilestone`, which costs one statement per
 * partner and milestone per process and nothing after it.
 */
const known = new Map<string, Promise<void> | true>();
const MEMO_LIMIT = 100_000;

/**
 * Records a milestone from a hot path, after the work that reached it has committed: the first
 * call per (partner, milestone) in this process writes the row; every later call is a map lookup.
 * Never throws (a failed write is forgotten, so a later call tries again) and never needs to be
 * awaited; `settleMilestones` waits for the writes in flight (tests, shutdown).
 */
export function noteMilestone(db: Db, partnerId: string, milestone: Milestone): Promise<void> | undefined {
  const k = `${partnerId}\u0000${milestone}`;
  const seen = known.get(k);
  if (seen === true) return undefined;
  if (seen) return seen;
  if (known.size >= MEMO_LIMIT) known.clear();
  const write = recordMilestone(db, partnerId, milestone).then(
    () => {
      known.set(k, true);
    },
    (error: unknown) => {
      known.delete(k);
      console.warn(`[activation] could not record ${milestone} for ${partnerId}: ${error instanceof Error ? error.message : String(error)}`);
    },
  );
  known.set(k, write);
  return write;
}

/** Waits for every milestone write in flight. */
export async function settleMilestones(): Promise<void> {
  await Promise.all([...known.values()].filter((v): v is Promise<void> => v !== true));
}

/** Forgets what this process knows (tests: a fresh database per file). */
export function resetMilestoneMemo(): void {
  known.clear();
}

export interface ChecklistStep {
  milestone: Milestone;
  label: string;
  doneAt: Date | null;
}

/** The partner's onboarding checklist: every milestone in journey order, with when it was reached. */
export async function onboardingChecklist(db: DbOrTx, partnerId: string): Promise<{ steps: ChecklistStep[]; done: number; total: number }> {
  const rows = await db
    .select({ milestone: partnerMilestones.milestone, at: partnerMilestones.at })
    .from(partnerMilestones)
    .where(sql`${partnerMilestones.partnerId} = ${partnerId}`);
  const at = new Map(rows.map((r) => [r.milestone, r.at]));
  const steps = MILESTONES.map((m) => ({ milestone: m, label: MILESTONE_LABELS[m], doneAt: at.get(m) ?? null }));
  return { steps, done: steps.filter((s) => s.doneAt).length, total: steps.length };
}

/**
 * The admin funnel: per milestone, how many partners reached it within [from, to), and how many of
 * the partners who signed up in that period reached it (at any time): the cohort view.
 */
export async function activationFunnel(db: DbOrTx, period: { from: Date; to: Date }) {
  const reached = await db
    .select({ milestone: partnerMilestones.milestone, partners: sql<number>`count(*)::int` })
    .from(partnerMilestones)
    .where(and(gte(partnerMilestones.at, period.from), lt(partnerMilestones.at, period.to)))
    .groupBy(partnerMilestones.milestone);
  const cohort = await db.execute<{ milestone: string; partners: number }>(sql`
    select m.milestone, count(*)::int as partners
    from ${partnerMilestones} s
    join ${partnerMilestones} m on m.partner_id = s.partner_id
    where s.milestone = 'signed_up' and s.at >= ${period.from.toISOString()}::timestamptz and s.at < ${period.to.toISOString()}::timestamptz
    group by m.milestone`);
  const inPeriod = new Map(reached.map((r) => [r.milestone, r.partners]));
  const ofCohort = new Map(cohort.map((r) => [r.milestone, Number(r.partners)]));
  return {
    from: period.from,
    to: period.to,
    steps: MILESTONES.map((m) => ({ milestone: m, label: MILESTONE_LABELS[m], reachedInPeriod: inPeriod.get(m) ?? 0, ofCohort: ofCohort.get(m) ?? 0 })),
  };
}

const DAY_MS = 24 * 3600_000;

/**
 * Re-engagement (the daily `partners-engagement` cron): emails every active partner with no
 * activity — API call (a key's last use), order, or a member's sign-in; signing up counts — for
 * `inactiveDays`, unless it was already nudged within that window. The nudge is recorded
 * (partner_nudges) in the statement that picks the partner, and the email requested in the same
 * transaction, so concurrent runs and retries never send twice within the window. A partner that
 * opted out (partner_settings.re_engagement_opt_out) is never picked.
 */
export async function sendReEngagementEmails(db: Db, opts: { inactiveDays: number; now?: Date }): Promise<{ partnerIds: string[] }> {
  const now = opts.now ?? new Date();
  const cutoff = new Date(now.getTime() - opts.inactiveDays * DAY_MS).toISOString();
  return db.transaction(async (tx) => {
    const picked = await tx.execute<{ partner_id: string; business_name: string; contact_email: string }>(sql`
      with inactive as (
        select p.id, p.business_name, p.contact_email
        from partners p
        where p.status = 'active'
          -- the partner's email preferences (dashboard settings): opted out of re-engagement
          and not exists (select 1 from partner_settings s where s.partner_id = p.id and s.re_engagement_opt_out)
          and greatest(
            p.created_at,
            (select max(k.last_used_at) from api_keys k where k.partner_id = p.id),
            (select max(o.created_at) from orders o where o.partner_id = p.id),
            (select max(u.last_login_at) from memberships m join users u on u.id = m.user_id where m.partner_id = p.id)
          ) < ${cutoff}::timestamptz
      ),
      nudged as (
        insert into ${partnerNudges} (partner_id, kind, last_sent_at)
        select id, 're_engagement', ${now.toISOString()}::timestamptz from inactive
        on conflict (partner_id, kind) do update set last_sent_at = excluded.last_sent_at, sent = ${partnerNudges}.sent + 1
          where ${partnerNudges}.last_sent_at <= ${cutoff}::timestamptz
        returning partner_id
      )
      select n.partner_id, i.business_name, i.contact_email from nudged n join inactive i on i.id = n.partner_id order by n.partner_id`);
    for (const p of picked) {
      await requestEmail(tx, {
        to: p.contact_email,
        partnerId: p.partner_id,
        template: "re_engagement",
        params: { companyName: p.business_name, inactiveDays: String(opts.inactiveDays) },
        key: `re_engagement:${p.partner_id}:${now.toISOString().slice(0, 10)}`,
      });
    }
    return { partnerIds: picked.map((p) => p.partner_id) };
  });
}

/** Where the activation nudge sends a partner for its next sandbox step. */
const NEXT_STEP_PATH: Partial<Record<Milestone, string>> = {
  email_verified: "/dashboard",
  first_sandbox_api_call: "/docs",
  first_sandbox_order: "/dashboard/console",
  first_webhook_endpoint: "/docs",
};

/**
 * Activation nudges (same cron): a partner that signed up more than `afterDays` ago and has not
 * ordered a test card yet gets one email, once ever, naming its next sandbox step.
 */
export async function sendActivationNudges(db: Db, opts: { afterDays: number; now?: Date }): Promise<{ partnerIds: string[] }> {
  const now = opts.now ?? new Date();
  const before = new Date(now.getTime() - opts.afterDays * DAY_MS).toISOString();
  return db.transaction(async (tx) => {
    const picked = await tx.execute<{ partner_id: string; business_name: string; contact_email: string; reached: string[] }>(sql`
      with stalled as (
        select p.id, p.business_name, p.contact_email
        from partners p join ${partnerMilestones} s on s.partner_id = p.id and s.milestone = 'signed_up'
        where p.status = 'active' and s.at < ${before}::timestamptz
          and not exists (select 1 from ${partnerMilestones} o where o.partner_id = p.id and o.milestone = 'first_sandbox_order')
      ),
      nudged as (
        insert into ${partnerNudges} (partner_id, kind, last_sent_at)
        select id, 'activation', ${now.toISOString()}::timestamptz from stalled
        on conflict (partner_id, kind) do nothing
        returning partner_id
      )
      select n.partner_id, s.business_name, s.contact_email,
        array(select milestone from ${partnerMilestones} m where m.partner_id = n.partner_id) as reached
      from nudged n join stalled s on s.id = n.partner_id order by n.partner_id`);
    for (const p of picked) {
      const reached = new Set(p.reached);
      const next = MILESTONES.find((m) => !reached.has(m) && NEXT_STEP_PATH[m]) ?? "first_sandbox_order";
      await requestEmail(tx, {
        to: p.contact_email,
        partnerId: p.partner_id,
        template: "activation_nudge",
        params: {
          companyName: p.business_name,
          nextStep: MILESTONE_LABELS[next],
          nextStepPath: NEXT_STEP_PATH[next]!,
          done: String(reached.size),
          total: String(MILESTONES.length),
        },
        key: `activation_nudge:${p.partner_id}`,
      });
    }
    return { partnerIds: picked.map((p) => p.partner_id) };
  });
}
