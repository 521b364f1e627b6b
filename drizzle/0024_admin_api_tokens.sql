CREATE TABLE "admin_api_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"start" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"revoked_by" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "admin_api_tokens_hash_uq" ON "admin_api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "admin_api_tokens_created_idx" ON "admin_api_tokens" USING btree ("created_at");