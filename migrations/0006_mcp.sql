CREATE TABLE `mcp_confirmations` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`user_id` text NOT NULL,
	`client_id` text NOT NULL,
	`grant_id` text NOT NULL,
	`surface` text NOT NULL,
	`tool` text NOT NULL,
	`tenant_id` text NOT NULL,
	`scope_hash` text NOT NULL,
	`args_hash` text NOT NULL,
	`audit_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mcp_confirmations_token_hash_unique` ON `mcp_confirmations` (`token_hash`);--> statement-breakpoint
CREATE INDEX `mcp_confirmations_match_idx` ON `mcp_confirmations` (`user_id`,`client_id`,`tool`,`args_hash`);--> statement-breakpoint
CREATE INDEX `mcp_confirmations_expires_idx` ON `mcp_confirmations` (`expires_at`);