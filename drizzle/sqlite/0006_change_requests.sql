CREATE TABLE `change_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`operation` text NOT NULL,
	`scope_id` integer,
	`target_type` text NOT NULL,
	`target_id` integer NOT NULL,
	`target_cidr` text NOT NULL,
	`input` text DEFAULT '{}' NOT NULL,
	`requested_by` text NOT NULL,
	`status` text DEFAULT 'PENDING' NOT NULL,
	`reason` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`expires_at` text NOT NULL,
	`decided_by` text,
	`decided_at` text,
	FOREIGN KEY (`scope_id`) REFERENCES `scopes`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `change_requests_status_idx` ON `change_requests` (`status`,`expires_at`);--> statement-breakpoint
CREATE INDEX `change_requests_target_idx` ON `change_requests` (`target_type`,`target_id`);--> statement-breakpoint
ALTER TABLE `scopes` ADD `approve_delete_pool` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `scopes` ADD `approve_release_allocation` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `scopes` ADD `approve_actuation` integer DEFAULT false NOT NULL;