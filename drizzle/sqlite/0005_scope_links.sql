CREATE TABLE `scope_links` (
	`scope_id` integer NOT NULL,
	`linked_scope_id` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`scope_id`, `linked_scope_id`),
	FOREIGN KEY (`scope_id`) REFERENCES `scopes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`linked_scope_id`) REFERENCES `scopes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `scope_links_linked_idx` ON `scope_links` (`linked_scope_id`);