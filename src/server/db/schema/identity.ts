import { sql } from "drizzle-orm";
import { type AnyPgColumn, boolean, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const partnerStatus = pgEnum("partner_status", ["active", "suspended"]);
export const onboardingState = pgEnum("onboarding_state", ["signed_up", "sandbox_active", "kyc_pending", "live"]);
export const signupSource = pgEnum("signup_source", ["admin", "self_service", "seed", "agent"]);
/** Agency network (issue 18): a direct partner, an agent that finances sub-agents, or a sub-agent under its parent agent. */
export const partnerKind = pgEnum("partner_kind", ["direct", "agent", "sub_agent"]);
export const userStatus = pgEnum("user_status", ["active", "suspended"]);
export const platformRole = pgEnum("platform_role", ["admin"]);
export const memberRole = pgEnum("member_role", ["owner", "developer", "finance"]);

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

export const partners = pgTable(
  "partners",
  {
    id: text("id").primaryKey(),
    businessName: text("business_name").notNull(),
    registrationNumber: text("registration_number"),
    contactEmail: text("contact_email").notNull(),
    phone: text("phone"),
    address: text("address"),
    country: text("country"),
    logoUrl: text("logo_url"),
    status: partnerStatus("status").notNull().default("active"),
    onboardingState: onboardingState("onboarding_state").notNull().default("signed_up"),
    signupSource: signupSource("signup_source").notNull().default("admin"),
    /** direct | agent | sub_agent (src/server/agency): the product allows two levels, the schema any depth. */
    kind: partnerKind("kind").notNull().default("direct"),
    /** The agent above this node (a sub-agent always has one); moves are kept in agency_hierarchy_events. */
    parentId: text("parent_id").references((): AnyPgColumn => partners.id, { onDelete: "restrict" }),
    createdBy: text("created_by"),
    updatedBy: text("updated_by"),
    ...timestamps,
  },
  (t) => [
    index("partners_parent_idx").on(t.parentId).where(sql`${t.parentId} is not null`),
    check("partners_sub_agent_parent_ck", sql`${t.kind} <> 'sub_agent' or ${t.parentId} is not null`),
    check("partners_parent_not_self_ck", sql`${t.parentId} is null or ${t.parentId} <> ${t.id}`),
  ],
);

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    platformRole: platformRole("platform_role"),
    status: userStatus("status").notNull().default("active"),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
    /** When the user followed the link of the verification email; required before going live. */
    emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
    /**
     * Carried in the session token and compared on every request: signing out or changing the
     * password increments it, which ends every other session of the user.
     */
    sessionVersion: integer("session_version").notNull().default(0),
    createdBy: text("created_by"),
    updatedBy: text("updated_by"),
    ...timestamps,
  },
  (t) => [uniqueIndex("users_email_lower_uq").on(sql`lower(${t.email})`)],
);

export const memberships = pgTable(
  "memberships",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    role: memberRole("role").notNull(),
    // A user may belong to several partners (one membership each); the session picks the active one.
    ...timestamps,
  },
  (t) => [uniqueIndex("memberships_user_partner_uq").on(t.userId, t.partnerId), index("memberships_partner_idx").on(t.partnerId)],
);

/**
 * An invitation to join a partner's team: only the SHA-256 of the link's token is stored; the
 * link is single-use (`accepted_at`), can be revoked and expires. Resending replaces the token.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: text("id").primaryKey(),
    partnerId: text("partner_id")
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: memberRole("role").notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: text("invited_by").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull().defaultNow(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    acceptedBy: text("accepted_by"),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("invitations_token_hash_uq").on(t.tokenHash),
    index("invitations_partner_idx").on(t.partnerId, t.createdAt),
    // One open invitation per address and partner.
    uniqueIndex("invitations_open_uq").on(t.partnerId, sql`lower(${t.email})`).where(sql`accepted_at is null and revoked_at is null`),
  ],
);

/** Failed login attempts, kept for the per-email and per-IP rate limit. */
export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    email: text("email").notNull(),
    ip: text("ip").notNull(),
    succeeded: boolean("succeeded").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("login_attempts_email_at_idx").on(t.email, t.at), index("login_attempts_ip_at_idx").on(t.ip, t.at)],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    actorUserId: text("actor_user_id"),
    actorType: text("actor_type").notNull(), // user | api_key | system
    partnerId: text("partner_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
    /** Why, as the person who acted wrote it (mandatory for money actions). */
    reason: text("reason"),
    /** The state of the target before and after the change (what an admin changed, side by side). */
    before: jsonb("before").$type<Record<string, unknown>>(),
    after: jsonb("after").$type<Record<string, unknown>>(),
    /** The client IP of the request that acted (null for system actions). */
    ip: text("ip"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("audit_log_partner_at_idx").on(t.partnerId, t.at),
    index("audit_log_at_idx").on(t.at),
    index("audit_log_action_at_idx").on(t.action, t.at),
    index("audit_log_actor_at_idx").on(t.actorUserId, t.at),
  ],
);
