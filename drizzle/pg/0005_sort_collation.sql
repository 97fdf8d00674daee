ALTER TABLE "accounts" ALTER COLUMN "key" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "accounts" ALTER COLUMN "provider" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "accounts" ALTER COLUMN "name" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "accounts" ALTER COLUMN "platform" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "accounts" ALTER COLUMN "tier" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "accounts" ALTER COLUMN "environment" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "prefixes" ALTER COLUMN "name" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "scopes" ALTER COLUMN "name" SET DATA TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "sync_state" ALTER COLUMN "region" SET DATA TYPE text COLLATE "C";