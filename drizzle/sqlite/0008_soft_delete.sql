CREATE TABLE `deletions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` integer NOT NULL,
	`deleted_by` text NOT NULL,
	`deleted_at` text NOT NULL,
	`detail` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `deletions_subject_idx` ON `deletions` (`subject_type`,`subject_id`);--> statement-breakpoint
CREATE INDEX `deletions_deleted_idx` ON `deletions` (`deleted_at`,`id`);--> statement-breakpoint
DROP INDEX `accounts_key_unique`;--> statement-breakpoint
ALTER TABLE `accounts` ADD `deleted_at` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `deleted_by` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `deletion_id` integer;--> statement-breakpoint
CREATE INDEX `accounts_deletion_idx` ON `accounts` (`deletion_id`) WHERE deletion_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_key_unique` ON `accounts` (`key`) WHERE deleted_at IS NULL;--> statement-breakpoint
ALTER TABLE `prefixes` ADD `deleted_at` text;--> statement-breakpoint
ALTER TABLE `prefixes` ADD `deleted_by` text;--> statement-breakpoint
ALTER TABLE `prefixes` ADD `deletion_id` integer;--> statement-breakpoint
CREATE INDEX `prefixes_deletion_idx` ON `prefixes` (`deletion_id`) WHERE deletion_id IS NOT NULL;