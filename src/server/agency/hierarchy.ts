import { and, eq, sql } from "drizzle-orm";
import { DomainError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAudit } from "@/server/audit";
import type { Db, DbOrTx, Tx } from "@/server/db/client";
import { agencyAgents, agencyHierarchyEvents, partnerProductPrices, partners } from "@/server/db/schema";
import type { LedgerEnvironment } from "@/server/ledger";
import { recordMilestone } from "@/server/partners/activation";
import { createInvitation } from "@/server/team/invitations";

/*
 * The agency network's shape (issue 18): a partner is direct, an agent, or a sub-agent under a
 * parent agent. The schema allows deeper trees (parent_id on any partner); the product allows two
 * levels, enforced here: only a direct partner becomes an agent, a sub-agent's parent is an
 * agent, and an agent's sub-agent is never itself an agent. Every change is kept in
 * agency_hierarchy_events and audited in the same transaction.
 */

export type PartnerKind = "direct" | "agent" | "sub_agent";

interface Acting {
  actor: string;
  ip?: string | null;
}

export interface AgencyNode {
  id: string;
  businessName: string;
  kind: PartnerKind;
  parentId: string | null;
  status: "active" | "suspended";
}

const notFound = (id: string, what = "partner") => new DomainError("resource_not_found", `No ${what} ${id}.`, { param: "partnerId" });
const invalid = (message: string, param?: string) => new DomainError("agency_hierarchy_invalid", message, { param });

/** The partner's place in the network (null if it does not exist). */
export async function agencyNode(db: DbOrTx, partnerId: string): Promise<AgencyNode | null> {
  const [row] = await db
    .select({ id: partners.id, businessName: partners.businessName, kind: partners.kind, parentId: partners.parentId, status: partners.status })
    .from(partners)
    .where(eq(partners.id, partnerId))
    .limit(1);
  return row ?? null;
}

async function lockNode(tx: Tx, partnerId: string): Promise<AgencyNode> {
  const [row] = await tx
    .select({ id: partners.id, businessName: partners.businessName, kind: partners.kind, parentId: partners.parentId, status: partners.status })
    .from(partners)
    .where(eq(partners.id, partnerId))
    .for("update");
  if (!row) throw notFound(partnerId);
  return row;
}

function checkShare(bps: number) {
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000)
    throw new DomainError("invalid_parameter", "The revenue share is a whole number of basis points from 0 to 10000 (1000 = 10 %).", {
      param: "revenueShareBps",
    });
}

/** An admin makes a direct partner an agent with a revenue share (basis points of the platform margin on its sub-agents' orders). */
export async function convertToAgent(db: Db, input: Acting & { partnerId: string; revenueShareBps: number; reason?: string | null }) {
  checkShare(input.revenueShareBps);
  return db.transaction(async (tx) => {
    const node = await lockNode(tx, input.partnerId);
    if (node.kind === "agent") throw invalid("This partner is already an agent: change its revenue share instead.");
    if (node.kind === "sub_agent") throw invalid("A sub-agent cannot become an agent: the network has two levels (agents, then their sub-agents).");
    await tx.update(partners).set({ kind: "agent", updatedBy: input.actor, updatedAt: new Date() }).where(eq(partners.id, node.id));
    await tx.insert(agencyAgents).values({ partnerId: node.id, revenueShareBps: input.revenueShareBps, createdBy: input.actor, updatedBy: input.actor });
    await tx.insert(agencyHierarchyEvents).values({
      partnerId: node.id,
      event: "converted_to_agent",
      fromKind: node.kind,
      toKind: "agent",
      toShareBps: input.revenueShareBps,
      actor: input.actor,
      reason: input.reason?.trim() || null,
    });
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: node.id,
      action: "agency.converted_to_agent",
      targetType: "partner",
      targetId: node.id,
      reason: input.reason?.trim() || null,
      before: { kind: node.kind },
      after: { kind: "agent", revenueShareBps: input.revenueShareBps },
      ip: input.ip,
    });
    return { partnerId: node.id, kind: "agent" as const, revenueShareBps: input.revenueShareBps };
  });
}

/** An admin changes an agent's revenue share (applies to margins recognised from now on), with a reason. */
export async function setRevenueShare(db: Db, input: Acting & { agentId: string; revenueShareBps: number; reason: string }) {
  checkShare(input.revenueShareBps);
  const reason = input.reason.trim();
  if (!reason) throw new DomainError("invalid_parameter", "Give a reason: it is kept in the audit log.", { param: "reason" });
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(agencyAgents).where(eq(agencyAgents.partnerId, input.agentId)).for("update");
    if (!current) throw new DomainError("not_an_agent", "This partner is not an agent.", { param: "agentId" });
    if (current.revenueShareBps === input.revenueShareBps) return { partnerId: input.agentId, revenueShareBps: current.revenueShareBps, changed: false };
    await tx
      .update(agencyAgents)
      .set({ revenueShareBps: input.revenueShareBps, updatedBy: input.actor, updatedAt: new Date() })
      .where(eq(agencyAgents.partnerId, input.agentId));
    await tx.insert(agencyHierarchyEvents).values({
      partnerId: input.agentId,
      event: "share_changed",
      fromShareBps: current.revenueShareBps,
      toShareBps: input.revenueShareBps,
      actor: input.actor,
      reason,
    });
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: input.agentId,
      action: "agency.revenue_share_changed",
      targetType: "partner",
      targetId: input.agentId,
      reason,
      before: { revenueShareBps: current.revenueShareBps },
      after: { revenueShareBps: input.revenueShareBps },
      ip: input.ip,
    });
    return { partnerId: input.agentId, revenueShareBps: input.revenueShareBps, changed: true };
  });
}

/**
 * An admin moves a sub-agent under another agent, with a reason (kept with the move). Its wallet,
 * orders and limits stay with it; commission on margins recognised after the move goes to the
 * new agent. Both nodes are locked in id order.
 */
export async function moveSubAgent(db: Db, input: Acting & { subAgentId: string; toAgentId: string; reason: string }) {
  const reason = input.reason.trim();
  if (!reason) throw new DomainError("invalid_parameter", "Give a reason: it is kept with the move.", { param: "reason" });
  return db.transaction(async (tx) => {
    const [first, second] = [input.subAgentId, input.toAgentId].sort();
    const a = await lockNode(tx, first!);
    const b = first === second ? a : await lockNode(tx, second!);
    const sub = a.id === input.subAgentId ? a : b;
    const to = a.id === input.toAgentId ? a : b;
    if (sub.kind !== "sub_agent") throw invalid("Only a sub-agent can be moved to another agent.", "subAgentId");
    if (to.kind !== "agent") throw invalid("A sub-agent can only be moved under an agent.", "toAgentId");
    if (sub.parentId === to.id) throw invalid("The sub-agent is already under this agent.", "toAgentId");
    await tx.update(partners).set({ parentId: to.id, updatedBy: input.actor, updatedAt: new Date() }).where(eq(partners.id, sub.id));
    await tx.insert(agencyHierarchyEvents).values({
      partnerId: sub.id,
      event: "moved",
      fromParentId: sub.parentId,
      toParentId: to.id,
      actor: input.actor,
      reason,
    });
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: sub.id,
      action: "agency.sub_agent_moved",
      targetType: "partner",
      targetId: sub.id,
      reason,
      before: { parentId: sub.parentId },
      after: { parentId: to.id },
      ip: input.ip,
    });
    return { subAgentId: sub.id, fromAgentId: sub.parentId, toAgentId: to.id };
  });
}

/** The history of a node (conversions, creation under an agent, moves, share changes), newest first. */
export async function hierarchyHistory(db: DbOrTx, partnerId: string) {
  return db
    .select()
    .from(agencyHierarchyEvents)
    .where(eq(agencyHierarchyEvents.partnerId, partnerId))
    .orderBy(sql`${agencyHierarchyEvents.at} desc, ${agencyHierarchyEvents.id} desc`)
    .limit(100);
}

export interface SubAgentProfile {
  businessName: string;
  contactEmail: string;
  phone?: string | null;
  address?: string | null;
  country?: string | null;
  registrationNumber?: string | null;
}

/**
 * An agent creates a sub-agent: the partner (kind sub_agent under the agent, signup_source
 * "agent", the agent's onboarding state, so a live agent's shop sells live), the agent's live
 * products at the agent's markups, and an owner invitation emailed to `ownerEmail`; one
 * transaction with its history event and audit entry.
 */
export async function createSubAgent(db: Db, input: Acting & { agentId: string; profile: SubAgentProfile; ownerEmail: string; appUrl: string }) {
  const p = input.profile;
  const profile = {
    businessName: p.businessName.trim(),
    contactEmail: p.contactEmail.trim().toLowerCase(),
    phone: p.phone?.trim() || null,
    address: p.address?.trim() || null,
    country: p.country?.trim().toUpperCase() || null,
    registrationNumber: p.registrationNumber?.trim() || null,
  };
  if (!profile.businessName) throw new DomainError("invalid_parameter", "Give the shop's business name.", { param: "businessName" });
  return db.transaction(async (tx) => {
    const agent = await lockNode(tx, input.agentId);
    if (agent.kind !== "agent") throw new DomainError("not_an_agent", "Only an agent can create sub-agents.");
    const [state] = await tx.select({ onboardingState: partners.onboardingState }).from(partners).where(eq(partners.id, agent.id));
    const [partner] = await tx
      .insert(partners)
      .values({
        id: newId("ptn"),
        ...profile,
        kind: "sub_agent",
        parentId: agent.id,
        signupSource: "agent",
        onboardingState: state!.onboardingState === "live" ? "live" : "sandbox_active",
        createdBy: input.actor,
        updatedBy: input.actor,
      })
      .returning();
    await tx.execute(sql`
      insert into ${partnerProductPrices} (partner_id, product_id, markup_bps, approved_by)
      select ${partner!.id}, product_id, markup_bps, ${input.actor} from ${partnerProductPrices} where partner_id = ${agent.id}`);
    await recordMilestone(tx, partner!.id, "signed_up");
    await tx.insert(agencyHierarchyEvents).values({
      partnerId: partner!.id,
      event: "created_sub_agent",
      toKind: "sub_agent",
      toParentId: agent.id,
      actor: input.actor,
    });
    await recordAudit(tx, {
      actor: input.actor,
      partnerId: agent.id,
      action: "agency.sub_agent_created",
      targetType: "partner",
      targetId: partner!.id,
      after: { ...profile, kind: "sub_agent", parentId: agent.id, ownerEmail: input.ownerEmail.trim().toLowerCase() },
      ip: input.ip,
    });
    // The invitation's own transaction becomes a savepoint of this one: both commit or neither.
    const { invitation, token } = await createInvitation(tx as unknown as Db, {
      partnerId: partner!.id,
      email: input.ownerEmail,
      role: "owner",
      actor: input.actor,
      appUrl: input.appUrl,
    });
    return { partner: partner!, invitation, token };
  });
}

/** The agent's sub-agent, or NOT_FOUND (another agent's sub-agent reads as unknown). */
export async function requireOwnSubAgent(db: DbOrTx, agentId: string, subAgentId: string): Promise<AgencyNode> {
  const [row] = await db
    .select({ id: partners.id, businessName: partners.businessName, kind: partners.kind, parentId: partners.parentId, status: partners.status })
    .from(partners)
    .where(and(eq(partners.id, subAgentId), eq(partners.parentId, agentId), eq(partners.kind, "sub_agent")))
    .limit(1);
  if (!row) throw new DomainError("resource_not_found", `No sub-agent ${subAgentId} of yours.`, { param: "subAgentId" });
  return row;
}

/** Throws not_an_agent unless the partner is an agent. */
export async function requireAgent(db: DbOrTx, partnerId: string): Promise<AgencyNode> {
  const node = await agencyNode(db, partnerId);
  if (node?.kind !== "agent") throw new DomainError("not_an_agent", "Only an agent's team can manage sub-agents, fund them or move commission.");
  return node;
}

export interface TreeNode {
  id: string;
  businessName: string;
  kind: PartnerKind;
  parentId: string | null;
  status: "active" | "suspended";
  revenueShareBps: number | null;
  /** Wallet balances in the environment, per currency. */
  balances: Array<{ currency: string; balance: string }>;
  /** Commission account balances (agents), per currency. */
  commission: Array<{ currency: string; balance: string }>;
  /** What the node's non-failed orders of the last 30 days cost (less refunds), per currency. */
  volume30d: Array<{ currency: string; amount: string; orders: number }>;
  children: TreeNode[];
}

/**
 * The whole network in one SQL query: every agent with its sub-agents (and sub-agents whose
 * parent is not an agent, should the data ever hold one), each with its wallet and commission
 * balances and 30-day order volume in the environment.
 */
export async function networkTree(db: DbOrTx, opts: { environment: LedgerEnvironment; now?: Date }): Promise<TreeNode[]> {
  const since = new Date((opts.now ?? new Date()).getTime() - 30 * 24 * 3600 * 1000);
  const rows = await db.execute<{
    id: string;
    business_name: string;
    kind: PartnerKind;
    parent_id: string | null;
    status: "active" | "suspended";
    share: number | null;
    balances: Array<{ currency: string; balance: string }>;
    commission: Array<{ currency: string; balance: string }>;
    volume: Array<{ currency: string; amount: string; orders: number }>;
  }>(sql`
    select p.id, p.business_name, p.kind::text as kind, p.parent_id, p.status::text as status, a.revenue_share_bps as share,
      coalesce((select json_agg(json_build_object('currency', w.currency, 'balance', w.balance::numeric(19,4)::text) order by w.currency)
        from ledger_accounts w where w.partner_id = p.id and w.kind = 'partner_wallet' and w.environment = ${opts.environment}), '[]'::json) as balances,
      coalesce((select json_agg(json_build_object('currency', c.currency, 'balance', c.balance::numeric(19,4)::text) order by c.currency)
        from ledger_accounts c where c.partner_id = p.id and c.kind = 'agent_commission' and c.environment = ${opts.environment}), '[]'::json) as commission,
      coalesce((select json_agg(json_build_object('currency', v.currency, 'amount', v.amount::numeric(19,4)::text, 'orders', v.n) order by v.currency)
        from (select o.currency, sum(o.total_price - o.refunded_amount) as amount, count(*)::int as n from orders o
              where o.partner_id = p.id and o.environment = ${opts.environment} and o.created_at >= ${since.toISOString()}::timestamptz and o.status <> 'failed'
              group by o.currency) v), '[]'::json) as volume
    from partners p left join agency_agents a on a.partner_id = p.id
    where p.kind <> 'direct'
    order by p.kind, p.business_name, p.id`);
  const nodes = new Map<string, TreeNode>();
  for (const r of rows) {
    nodes.set(r.id, {
      id: r.id,
      businessName: r.business_name,
      kind: r.kind,
      parentId: r.parent_id,
      status: r.status,
      revenueShareBps: r.share === null ? null : Number(r.share),
      balances: r.balances,
      commission: r.commission,
      volume30d: r.volume,
      children: [],
    });
  }
  const roots: TreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/** Agents, for the admin's move dialog (id and name). */
export async function listAgents(db: DbOrTx) {
  return db
    .select({ id: partners.id, businessName: partners.businessName, status: partners.status, revenueShareBps: agencyAgents.revenueShareBps })
    .from(partners)
    .innerJoin(agencyAgents, eq(agencyAgents.partnerId, partners.id))
    .where(eq(partners.kind, "agent"))
    .orderBy(partners.businessName);
}

/** Direct partners an admin may make agents, by name, contact email or id (first 20). */
export async function agentCandidates(db: DbOrTx, q: string) {
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db
    .select({ id: partners.id, businessName: partners.businessName, contactEmail: partners.contactEmail, status: partners.status })
    .from(partners)
    .where(and(eq(partners.kind, "direct"), sql`(${partners.id} = ${q} or ${partners.businessName} ilike ${like} or ${partners.contactEmail} ilike ${like})`))
    .orderBy(partners.businessName)
    .limit(20);
}
