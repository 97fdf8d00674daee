ALTER TABLE `prefixes` ADD `monitored` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Backfill (#17): pools tagged monitor: "true" (what the utilisation gauge read before this column) are monitored.
UPDATE `prefixes` SET `monitored` = 1 WHERE `kind` = 'pool' AND json_extract(`tags`, '$.monitor') IN ('true', 1);--> statement-breakpoint
CREATE INDEX `prefixes_monitored_idx` ON `prefixes` (`id`) WHERE monitored;
