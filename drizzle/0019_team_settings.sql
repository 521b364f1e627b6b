CREATE TABLE "invitations" (
	"id" text PRIMARY KEY NOT NULL,
	"partner_id" text NOT NULL,
	"email" text NOT NULL,
	"role" "member_role" NOT NULL,
	"token_hash" text NOT NULL,
	"invited_by" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	"accepted_at" timestamp with time zone,
	"accepted_by" text,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "low_balance_thresholds" (
	"partner_id" text NOT NULL,
	"environment" "ledger_environment" NOT NULL,
	"currency" text NOT NULL,
	"threshold" numeric(19, 4) NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "low_balance_thresholds_partner_id_environment_currency_pk" PRIMARY KEY("partner_id","environment","currency"),
	CONSTRAINT "low_balance_thresholds_ck" CHECK ("low_balance_thresholds"."threshold" >= 0)
);
--> statement-breakpoint
DROP INDEX "memberships_user_uq";--> statement-breakpoint
ALTER TABLE "partner_settings" ADD COLUMN "billing_email" text;--> statement-breakpoint
ALTER TABLE "partner_settings" ADD COLUMN "technical_email" text;--> statement-breakpoint
ALTER TABLE "partner_settings" ADD COLUMN "re_engagement_opt_out" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "low_balance_thresholds" ADD CONSTRAINT "low_balance_thresholds_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_token_hash_uq" ON "invitations" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "invitations_partner_idx" ON "invitations" USING btree ("partner_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_open_uq" ON "invitations" USING btree ("partner_id",lower("email")) WHERE accepted_at is null and revoked_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "memberships_user_partner_uq" ON "memberships" USING btree ("user_id","partner_id");