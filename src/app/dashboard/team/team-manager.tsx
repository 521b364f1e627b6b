"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Mail, RefreshCw, Trash2, UserPlus } from "lucide-react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { describedBy, Field, inputClasses } from "@/components/ui/field";
import { applyServerErrors, FormError, FormInput, useZodForm } from "@/components/ui/form";
import { dateTime } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { inviteInput, MEMBER_ROLES } from "@/lib/schemas/team-settings";
import { type RouterOutputs, useTRPC } from "@/trpc/react";

type Role = (typeof MEMBER_ROLES)[number];
type Member = RouterOutputs["team"]["members"][number];
type Invitation = RouterOutputs["team"]["invitations"][number];

const ROLE_LABEL: Record<Role, string> = { owner: "Owner", developer: "Developer", finance: "Finance" };
const ROLE_EFFECT: Record<Role, string> = {
  owner: "can do everything, including managing the team and settings",
  developer: "manages API keys, webhooks and request logs, and buys cards",
  finance: "sees wallets, statements, orders and the team list",
};

/** Invite by email with a role: the invitee gets an email with a link valid for 7 days. */
function InviteForm({ onInvited }: { onInvited: () => void }) {
  const trpc = useTRPC();
  const form = useZodForm(inviteInput, { email: "", role: "developer" });
  const invite = useMutation(trpc.team.invite.mutationOptions());
  const roleError = form.formState.errors.role?.message;
  return (
    <form
      aria-label="Invite a teammate"
      className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_auto] sm:items-end"
      onSubmit={form.handleSubmit(async (values) => {
        try {
          const inv = await invite.mutateAsync(values);
          toast.success(`Invitation sent to ${inv.email}`);
          form.reset({ email: "", role: values.role });
          onInvited();
        } catch (e) {
          applyServerErrors(form, e);
        }
      })}
    >
      <FormInput form={form} name="email" label="Email address" type="email" autoComplete="off" placeholder="ana@example.com" />
      <Field id="invite-role" label="Role" error={roleError}>
        <select id="invite-role" className={inputClasses(!!roleError)} {...describedBy("invite-role", { error: roleError })} {...form.register("role")}>
          {MEMBER_ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABEL[r]}
            </option>
          ))}
        </select>
      </Field>
      <Button type="submit" disabled={form.formState.isSubmitting}>
        <UserPlus aria-hidden className="size-4" />
        {form.formState.isSubmitting ? "Sending…" : "Send invitation"}
      </Button>
      <div className="sm:col-span-3">
        <FormError form={form as never} />
      </div>
    </form>
  );
}

function MemberActions({ member, owners, onChanged }: { member: Member; owners: number; onChanged: () => void }) {
  const trpc = useTRPC();
  const changeRole = useMutation(trpc.team.changeRole.mutationOptions());
  const remove = useMutation(trpc.team.remove.mutationOptions());
  const lastOwner = member.role === "owner" && owners <= 1;
  return (
    <div className="flex flex-wrap justify-end gap-2">
      {MEMBER_ROLES.filter((r) => r !== member.role).map((r) => (
        <ConfirmDialog
          key={r}
          trigger={
            <Button variant="secondary" size="sm" disabled={lastOwner} aria-label={`Make ${member.name} ${ROLE_LABEL[r].toLowerCase()}`}>
              Make {ROLE_LABEL[r].toLowerCase()}
            </Button>
          }
          title={`Make ${member.name} ${ROLE_LABEL[r].toLowerCase()}?`}
          consequence={`${member.name} (${member.email}) becomes ${ROLE_LABEL[r].toLowerCase()}: ${ROLE_EFFECT[r]}. It applies from their next click.`}
          confirmLabel={`Change role to ${ROLE_LABEL[r].toLowerCase()}`}
          onConfirm={async () => {
            await changeRole.mutateAsync({ membershipId: member.membershipId, role: r });
            toast.success(`${member.name} is now ${ROLE_LABEL[r].toLowerCase()}`);
            onChanged();
          }}
        />
      ))}
      <ConfirmDialog
        trigger={
          <Button variant="secondary" size="sm" disabled={lastOwner} aria-label={`Remove ${member.name}`}>
            <Trash2 aria-hidden className="size-3.5" />
            Remove
          </Button>
        }
        title={`Remove ${member.name} from the team?`}
        consequence={`${member.name} (${member.email}) loses access to this workspace at once: their next page or request is refused. Their account and other workspaces stay.`}
        confirmLabel="Remove member"
        danger
        onConfirm={async () => {
          await remove.mutateAsync({ membershipId: member.membershipId });
          toast.success(`${member.name} was removed`);
          onChanged();
        }}
      />
    </div>
  );
}

function MembersTable({ members, canManage, selfId, onChanged }: { members: Member[]; canManage: boolean; selfId: string; onChanged: () => void }) {
  const locale = useLocale();
  const owners = members.filter((m) => m.role === "owner").length;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full text-sm" aria-label="Members">
        <thead className="bg-slate-50 text-left text-xs font-medium text-slate-600 uppercase">
          <tr>
            <th scope="col" className="px-4 py-2">
              Name
            </th>
            <th scope="col" className="px-4 py-2">
              Email
            </th>
            <th scope="col" className="px-4 py-2">
              Role
            </th>
            <th scope="col" className="px-4 py-2">
              Joined
            </th>
            <th scope="col" className="px-4 py-2">
              Last sign-in
            </th>
            {canManage && (
              <th scope="col" className="px-4 py-2 text-right">
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {members.map((m) => (
            <tr key={m.membershipId} data-testid={`member-${m.email}`}>
              <td className="px-4 py-2 font-medium text-slate-900">
                {m.name}
                {m.userId === selfId && <span className="ml-1 text-xs text-slate-600">(you)</span>}
              </td>
              <td className="px-4 py-2 text-slate-700">{m.email}</td>
              <td className="px-4 py-2">
                <Badge tone={m.role === "owner" ? "brand" : "neutral"} data-testid="member-role">
                  {ROLE_LABEL[m.role]}
                </Badge>
              </td>
              <td className="px-4 py-2 text-slate-700">{dateTime(m.joinedAt, locale)}</td>
              <td className="px-4 py-2 text-slate-700">{m.lastSignInAt ? dateTime(m.lastSignInAt, locale) : "Never"}</td>
              {canManage && (
                <td className="px-4 py-2">
                  <MemberActions member={m} owners={owners} onChanged={onChanged} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function InvitationsTable({ invitations, onChanged }: { invitations: Invitation[]; onChanged: () => void }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const resend = useMutation(trpc.team.resendInvitation.mutationOptions());
  const revoke = useMutation(trpc.team.revokeInvitation.mutationOptions());
  if (invitations.length === 0) return <EmptyState title="No pending invitations">Invite someone above: they get an email with a link.</EmptyState>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full text-sm" aria-label="Pending invitations">
        <thead className="bg-slate-50 text-left text-xs font-medium text-slate-600 uppercase">
          <tr>
            <th scope="col" className="px-4 py-2">
              Email
            </th>
            <th scope="col" className="px-4 py-2">
              Role
            </th>
            <th scope="col" className="px-4 py-2">
              Status
            </th>
            <th scope="col" className="px-4 py-2">
              Expires
            </th>
            <th scope="col" className="px-4 py-2 text-right">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {invitations.map((inv) => (
            <tr key={inv.id} data-testid={`invitation-${inv.email}`}>
              <td className="px-4 py-2 text-slate-900">{inv.email}</td>
              <td className="px-4 py-2">{ROLE_LABEL[inv.role]}</td>
              <td className="px-4 py-2">
                <Badge tone={inv.state === "pending" ? "warning" : "neutral"}>{inv.state}</Badge>
              </td>
              <td className="px-4 py-2 text-slate-700">{dateTime(inv.expiresAt, locale)}</td>
              <td className="px-4 py-2">
                <div className="flex justify-end gap-2">
                  <Button
                    variant="secondary"
                    size="sm"
                    aria-label={`Resend invitation to ${inv.email}`}
                    disabled={resend.isPending}
                    onClick={async () => {
                      try {
                        await resend.mutateAsync({ invitationId: inv.id });
                        toast.success(`Invitation sent again to ${inv.email}; the previous link no longer works`);
                        onChanged();
                      } catch (e) {
                        toast.error(e instanceof Error ? e.message : "Could not resend the invitation");
                      }
                    }}
                  >
                    <RefreshCw aria-hidden className="size-3.5" />
                    Resend
                  </Button>
                  <ConfirmDialog
                    trigger={
                      <Button variant="secondary" size="sm" aria-label={`Revoke invitation to ${inv.email}`}>
                        <Mail aria-hidden className="size-3.5" />
                        Revoke
                      </Button>
                    }
                    title={`Revoke the invitation to ${inv.email}?`}
                    consequence={`The link sent to ${inv.email} stops working at once; they cannot join unless invited again.`}
                    confirmLabel="Revoke invitation"
                    danger
                    onConfirm={async () => {
                      await revoke.mutateAsync({ invitationId: inv.id });
                      toast.success(`Invitation to ${inv.email} revoked`);
                      onChanged();
                    }}
                  />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A developer's own profile (developers do not see the team list). */
function OwnProfile() {
  const trpc = useTRPC();
  const me = useQuery(trpc.team.me.queryOptions());
  if (me.isPending) return <Skeleton className="h-24" />;
  if (me.error) return <ErrorState message={me.error.message} />;
  return (
    <section aria-labelledby="profile-heading" className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="profile-heading" className="text-lg font-semibold">
        Your profile
      </h2>
      <dl className="mt-3 grid grid-cols-[8rem_1fr] gap-y-1 text-sm">
        <dt className="text-slate-600">Name</dt>
        <dd>{me.data.name}</dd>
        <dt className="text-slate-600">Email</dt>
        <dd>{me.data.email}</dd>
        <dt className="text-slate-600">Role</dt>
        <dd>{me.data.membership ? ROLE_LABEL[me.data.membership.role] : "—"}</dd>
      </dl>
      <p className="mt-3 text-sm text-slate-600">The team list is visible to owners and finance.</p>
    </section>
  );
}

export function TeamManager({ role, selfId }: { role: Role; selfId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const isOwner = role === "owner";
  const members = useQuery({ ...trpc.team.members.queryOptions(), enabled: role !== "developer" });
  const invitations = useQuery({ ...trpc.team.invitations.queryOptions(), enabled: isOwner });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.team.members.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.team.invitations.queryKey() });
  };
  if (role === "developer") return <OwnProfile />;
  return (
    <div className="space-y-8">
      {isOwner && (
        <section aria-labelledby="invite-heading" className="space-y-3">
          <h2 id="invite-heading" className="text-lg font-semibold">
            Invite a teammate
          </h2>
          <InviteForm onInvited={refresh} />
        </section>
      )}
      <section aria-labelledby="members-heading" className="space-y-3">
        <h2 id="members-heading" className="text-lg font-semibold">
          Members
        </h2>
        {members.isPending ? (
          <Skeleton className="h-32" />
        ) : members.error ? (
          <ErrorState message={members.error.message} onRetry={() => void members.refetch()} />
        ) : (
          <MembersTable members={members.data} canManage={isOwner} selfId={selfId} onChanged={refresh} />
        )}
      </section>
      {isOwner && (
        <section aria-labelledby="invitations-heading" className="space-y-3">
          <h2 id="invitations-heading" className="text-lg font-semibold">
            Pending invitations
          </h2>
          {invitations.isPending ? (
            <Skeleton className="h-20" />
          ) : invitations.error ? (
            <ErrorState message={invitations.error.message} onRetry={() => void invitations.refetch()} />
          ) : (
            <InvitationsTable invitations={invitations.data} onChanged={refresh} />
          )}
        </section>
      )}
    </div>
  );
}
