import { z } from "zod";
import { inviteInput, MEMBER_ROLES } from "@/lib/schemas/team-settings";
import { createInvitation, listOpenInvitations, resendInvitation, revokeInvitation } from "@/server/team/invitations";
import { changeMemberRole, listMembers, removeMember } from "@/server/team/members";
import { partnerProcedure, protectedProcedure, router } from "../init";

const id = z.string().min(1).max(64);

/**
 * The partner dashboard's team procedures (issue 16). Managing the team is for owners; finance
 * sees the member list; everyone sees their own profile and workspaces. Every id is looked up
 * within the caller's partner, so another partner's member or invitation is NOT_FOUND.
 */
export const teamRouter = router({
  /** The caller's own profile in the active workspace, and every workspace they belong to. */
  me: protectedProcedure.query(({ ctx }) => ({
    id: ctx.user.id,
    name: ctx.user.name,
    email: ctx.user.email,
    membership: ctx.user.membership,
    workspaces: ctx.user.memberships,
  })),
  members: partnerProcedure("finance").query(({ ctx }) => listMembers(ctx.db, ctx.partnerId)),
  /** Pending (and expired, not yet revoked) invitations: owners only, like every team change. */
  invitations: partnerProcedure("owner").query(({ ctx }) => listOpenInvitations(ctx.db, ctx.partnerId)),
  invite: partnerProcedure("owner")
    .input(inviteInput)
    .mutation(async ({ ctx, input }) => {
      const { invitation } = await createInvitation(ctx.db, {
        partnerId: ctx.partnerId,
        email: input.email,
        role: input.role,
        actor: ctx.user.id,
        appUrl: ctx.services.email.appUrl,
      });
      return invitation;
    }),
  resendInvitation: partnerProcedure("owner")
    .input(z.object({ invitationId: id }))
    .mutation(async ({ ctx, input }) => {
      const { invitation } = await resendInvitation(ctx.db, {
        partnerId: ctx.partnerId,
        invitationId: input.invitationId,
        actor: ctx.user.id,
        appUrl: ctx.services.email.appUrl,
      });
      return invitation;
    }),
  revokeInvitation: partnerProcedure("owner")
    .input(z.object({ invitationId: id }))
    .mutation(({ ctx, input }) => revokeInvitation(ctx.db, { partnerId: ctx.partnerId, invitationId: input.invitationId, actor: ctx.user.id })),
  changeRole: partnerProcedure("owner")
    .input(z.object({ membershipId: id, role: z.enum(MEMBER_ROLES) }))
    .mutation(({ ctx, input }) =>
      changeMemberRole(ctx.db, { partnerId: ctx.partnerId, membershipId: input.membershipId, role: input.role, actor: ctx.user.id }),
    ),
  remove: partnerProcedure("owner")
    .input(z.object({ membershipId: id }))
    .mutation(({ ctx, input }) => removeMember(ctx.db, { partnerId: ctx.partnerId, membershipId: input.membershipId, actor: ctx.user.id })),
});
