CREATE TABLE `accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`provider` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`platform` text,
	`tier` text,
	`environment` text,
	`regions` text DEFAULT '[]' NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`reconcile_policy` text DEFAULT 'OBSERVE' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_key_unique` ON `accounts` (`key`);--> statement-breakpoint
CREATE INDEX `accounts_provider_idx` ON `accounts` (`provider`,`id`);--> statement-breakpoint
CREATE INDEX `accounts_tier_idx` ON `accounts` (`tier`,`id`);--> statement-breakpoint
CREATE INDEX `accounts_created_idx` ON `accounts` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`role` text NOT NULL,
	`expires_at` text,
	`last_used_at` text,
	`revoked_at` text,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_name_unique` ON `api_tokens` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_prefix_unique` ON `api_tokens` (`prefix`);--> statement-breakpoint
CREATE TABLE `cloud_cidrs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`resource_id` integer NOT NULL,
	`cidr` text NOT NULL,
	`family` integer NOT NULL,
	`prefix_len` integer NOT NULL,
	`range_start` text NOT NULL,
	`range_end` text NOT NULL,
	`role` text NOT NULL,
	`name` text,
	FOREIGN KEY (`resource_id`) REFERENCES `cloud_resources`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `cloud_cidrs_range_idx` ON `cloud_cidrs` (`family`,`range_start`,`range_end`);--> statement-breakpoint
CREATE INDEX `cloud_cidrs_resource_idx` ON `cloud_cidrs` (`resource_id`);--> statement-breakpoint
CREATE TABLE `cloud_resources` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`provider` text NOT NULL,
	`resource_type` text NOT NULL,
	`external_id` text NOT NULL,
	`vpc_external_id` text,
	`region` text,
	`zone` text,
	`name` text,
	`tags` text DEFAULT '{}' NOT NULL,
	`state` text,
	`managed` integer DEFAULT false NOT NULL,
	`allocation_tag` text,
	`first_seen_at` text NOT NULL,
	`last_seen_at` text NOT NULL,
	`deleted_at` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cloud_resources_external_unique` ON `cloud_resources` (`account_id`,`external_id`);--> statement-breakpoint
CREATE TABLE `drift_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`severity` text NOT NULL,
	`status` text NOT NULL,
	`account_id` integer NOT NULL,
	`resource_id` integer,
	`allocation_id` integer,
	`cidr` text,
	`detail` text,
	`fingerprint` text NOT NULL,
	`detected_at` text NOT NULL,
	`resolved_at` text,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`resource_id`) REFERENCES `cloud_resources`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`allocation_id`) REFERENCES `prefixes`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `drift_items_account_idx` ON `drift_items` (`account_id`,`status`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `drift_items_open_unique` ON `drift_items` (`fingerprint`) WHERE status = 'OPEN';--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`actor` text NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` text NOT NULL,
	`before` text,
	`after` text,
	`request_id` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_type_idx` ON `events` (`type`,`id`);--> statement-breakpoint
CREATE INDEX `events_subject_idx` ON `events` (`subject_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_created_idx` ON `events` (`created_at`);--> statement-breakpoint
CREATE TABLE `free_blocks` (
	`pool_id` integer NOT NULL,
	`prefix_len` integer NOT NULL,
	`range_start` text NOT NULL,
	`range_end` text NOT NULL,
	PRIMARY KEY(`pool_id`, `range_start`),
	FOREIGN KEY (`pool_id`) REFERENCES `prefixes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `free_blocks_fit_idx` ON `free_blocks` (`pool_id`,`prefix_len`,`range_start`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`key` text PRIMARY KEY NOT NULL,
	`request_hash` text NOT NULL,
	`allocation_id` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`allocation_id`) REFERENCES `prefixes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `prefixes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`scope_id` integer NOT NULL,
	`parent_id` integer,
	`family` integer NOT NULL,
	`prefix_len` integer NOT NULL,
	`cidr` text NOT NULL,
	`range_start` text NOT NULL,
	`range_end` text NOT NULL,
	`name` text,
	`description` text,
	`status` text NOT NULL,
	`account_id` integer,
	`tags` text DEFAULT '{}' NOT NULL,
	`min_child_len` integer,
	`max_child_len` integer,
	`default_child_len` integer,
	`allowed_tiers` text,
	`resource_provider` text,
	`resource_id` text,
	`resource_type` text,
	`resource_region` text,
	`created_by` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`released_at` text,
	FOREIGN KEY (`scope_id`) REFERENCES `scopes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`parent_id`) REFERENCES `prefixes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `prefixes_range_idx` ON `prefixes` (`scope_id`,`family`,`range_start`,`range_end`);--> statement-breakpoint
CREATE INDEX `prefixes_parent_live_idx` ON `prefixes` (`parent_id`,`range_start`) WHERE released_at IS NULL;--> statement-breakpoint
CREATE INDEX `prefixes_account_idx` ON `prefixes` (`account_id`);--> statement-breakpoint
CREATE INDEX `prefixes_kind_created_idx` ON `prefixes` (`kind`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `prefixes_resource_idx` ON `prefixes` (`resource_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `prefixes_live_unique` ON `prefixes` (`scope_id`,`family`,`range_start`,`prefix_len`,`kind`) WHERE released_at IS NULL;--> statement-breakpoint
CREATE TABLE `schema_info` (
	`id` integer PRIMARY KEY NOT NULL,
	`schema_version` integer NOT NULL,
	`min_supported_schema` integer NOT NULL,
	`app_version` text NOT NULL,
	`applied_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `scopes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`is_default` integer DEFAULT false NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `scopes_name_unique` ON `scopes` (`name`);--> statement-breakpoint
CREATE TABLE `sync_state` (
	`account_id` integer NOT NULL,
	`region` text NOT NULL,
	`status` text NOT NULL,
	`started_at` text,
	`finished_at` text,
	`counts` text DEFAULT '{}' NOT NULL,
	`error` text,
	PRIMARY KEY(`account_id`, `region`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`webhook_id` integer NOT NULL,
	`event_id` integer NOT NULL,
	`attempt` integer NOT NULL,
	`status_code` integer,
	`duration_ms` integer NOT NULL,
	`error` text,
	`outcome` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`webhook_id`) REFERENCES `webhooks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_webhook_idx` ON `webhook_deliveries` (`webhook_id`,`id`);--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`url` text NOT NULL,
	`event_types` text DEFAULT '[]' NOT NULL,
	`secret` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`cursor` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
