ALTER TABLE "prefixes" ADD COLUMN "monitored" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Backfill (#17): pools tagged monitor: "true" (what the utilisation gauge read before this column) are monitored.
UPDATE "prefixes" SET "monitored" = true WHERE "kind" = 'pool' AND ("tags"::jsonb ->> 'monitor') IN ('true', '1');--> statement-breakpoint
CREATE INDEX "prefixes_monitored_idx" ON "prefixes" USING btree ("id") WHERE monitored;
