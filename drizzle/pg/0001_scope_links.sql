CREATE TABLE "scope_links" (
	"scope_id" integer NOT NULL,
	"linked_scope_id" integer NOT NULL,
	"created_at" text DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) NOT NULL,
	CONSTRAINT "scope_links_scope_id_linked_scope_id_pk" PRIMARY KEY("scope_id","linked_scope_id")
);
--> statement-breakpoint
ALTER TABLE "scope_links" ADD CONSTRAINT "scope_links_scope_id_scopes_id_fk" FOREIGN KEY ("scope_id") REFERENCES "public"."scopes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scope_links" ADD CONSTRAINT "scope_links_linked_scope_id_scopes_id_fk" FOREIGN KEY ("linked_scope_id") REFERENCES "public"."scopes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "scope_links_linked_idx" ON "scope_links" USING btree ("linked_scope_id");