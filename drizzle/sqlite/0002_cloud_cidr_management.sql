ALTER TABLE `cloud_cidrs` ADD `management` text;--> statement-breakpoint
ALTER TABLE `cloud_cidrs` ADD `allocation_id` integer;--> statement-breakpoint
CREATE INDEX `cloud_resources_account_type_idx` ON `cloud_resources` (`account_id`,`resource_type`,`id`);