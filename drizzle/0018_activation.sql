CREATE TABLE "go_live_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"partner_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"legal_name" text NOT NULL,
	"registration_number" text NOT NULL,
	"website" text NOT NULL,
	"expected_monthly_volume" text NOT NULL,
	"use_case" text NOT NULL,
	"requested_by" text NOT NULL,
	"decided_by" text,
	"decision_reason" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partner_milestones" (
	"partner_id" text NOT NULL,
	"milestone" text NOT NULL,
	"at" timestamp (6) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "partner_milestones_partner_id_milestone_pk" PRIMARY KEY("partner_id","milestone")
);
--> statement-breakpoint
CREATE TABLE "partner_nudges" (
	"partner_id" text NOT NULL,
	"kind" text NOT NULL,
	"last_sent_at" timestamp with time zone NOT NULL,
	"sent" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "partner_nudges_partner_id_kind_pk" PRIMARY KEY("partner_id","kind")
);
--> statement-breakpoint
ALTER TABLE "go_live_requests" ADD CONSTRAINT "go_live_requests_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_milestones" ADD CONSTRAINT "partner_milestones_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_nudges" ADD CONSTRAINT "partner_nudges_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "go_live_requests_one_pending_uq" ON "go_live_requests" USING btree ("partner_id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "go_live_requests_partner_idx" ON "go_live_requests" USING btree ("partner_id","created_at");--> statement-breakpoint
CREATE INDEX "go_live_requests_status_idx" ON "go_live_requests" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "partner_milestones_milestone_at_idx" ON "partner_milestones" USING btree ("milestone","at");