CREATE TABLE "agency_statements" (
	"id" text PRIMARY KEY NOT NULL,
	"partner_id" text NOT NULL,
	"environment" "ledger_environment" NOT NULL,
	"scope" text NOT NULL,
	"period" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"csv" text NOT NULL,
	"data" jsonb NOT NULL,
	"sha256" text NOT NULL,
	"generated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agency_statements_scope_ck" CHECK ("agency_statements"."scope" in ('agent', 'sub_agent')),
	CONSTRAINT "agency_statements_period_ck" CHECK ("agency_statements"."period" ~ '^[0-9]{4}-[0-9]{2}$')
);
--> statement-breakpoint
CREATE TABLE "counter_sales" (
	"partner_id" text NOT NULL,
	"environment" "ledger_environment" NOT NULL,
	"reference_id" text NOT NULL,
	"customer_email" text,
	"customer_phone" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "counter_sales_pk" PRIMARY KEY("partner_id","environment","reference_id")
);
--> statement-breakpoint
ALTER TABLE "agency_statements" ADD CONSTRAINT "agency_statements_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "counter_sales" ADD CONSTRAINT "counter_sales_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "agency_statements_partner_period_uq" ON "agency_statements" USING btree ("partner_id","environment","period");--> statement-breakpoint
CREATE INDEX "counter_sales_partner_created_idx" ON "counter_sales" USING btree ("partner_id","environment","created_at");--> statement-breakpoint
CREATE FUNCTION "agency_statements_kept"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'agency statements are kept as generated: % of % is not allowed', TG_OP, OLD.id;
END $$;--> statement-breakpoint
CREATE TRIGGER "agency_statements_kept" BEFORE UPDATE OR DELETE ON "agency_statements" FOR EACH ROW EXECUTE FUNCTION "agency_statements_kept"();
