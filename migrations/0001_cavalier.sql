CREATE TABLE `cavalier_contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`title` text DEFAULT '' NOT NULL,
	`phone` text DEFAULT '' NOT NULL,
	`is_primary` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cavalier_contacts_tenant_idx` ON `cavalier_contacts` (`tenant_id`,`name`);--> statement-breakpoint
CREATE TABLE `cavalier_deals` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`stage` text NOT NULL,
	`probability_pct` integer NOT NULL,
	`expected_close_date` text,
	`owner_user_id` text,
	`primary_contact_id` text,
	`currency` text NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`closed_at` integer,
	`close_reason` text,
	`idempotency_key` text,
	`request_hash` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`primary_contact_id`) REFERENCES `cavalier_contacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cavalier_deals_tenant_idx` ON `cavalier_deals` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `cavalier_deals_idem_uq` ON `cavalier_deals` (`tenant_id`,`idempotency_key`);--> statement-breakpoint
CREATE TABLE `cavalier_product_prices` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`product_id` text NOT NULL,
	`currency` text NOT NULL,
	`unit_price_minor` integer NOT NULL,
	`unit_cost_minor` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `cavalier_products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cavalier_product_prices_uq` ON `cavalier_product_prices` (`product_id`,`currency`);--> statement-breakpoint
CREATE TABLE `cavalier_products` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`sku` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`product_class` text NOT NULL,
	`billing_type` text NOT NULL,
	`billing_period` text,
	`unit` text NOT NULL,
	`taxable` integer DEFAULT true NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cavalier_products_sku_uq` ON `cavalier_products` (`tenant_id`,`sku`);--> statement-breakpoint
CREATE TABLE `cavalier_quote_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`quote_id` text NOT NULL,
	`line_no` integer NOT NULL,
	`product_id` text,
	`sku` text NOT NULL,
	`description` text NOT NULL,
	`unit` text NOT NULL,
	`billing_type` text NOT NULL,
	`billing_period` text,
	`quantity` integer NOT NULL,
	`unit_price_minor` integer NOT NULL,
	`discount_bps` integer DEFAULT 0 NOT NULL,
	`taxable` integer NOT NULL,
	`line_total_minor` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`quote_id`) REFERENCES `cavalier_quotes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `cavalier_products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cavalier_quote_lines_uq` ON `cavalier_quote_lines` (`quote_id`,`line_no`);--> statement-breakpoint
CREATE TABLE `cavalier_quotes` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`deal_id` text,
	`contact_id` text,
	`quote_number` text NOT NULL,
	`version` integer NOT NULL,
	`supersedes_id` text,
	`status` text NOT NULL,
	`title` text NOT NULL,
	`currency` text NOT NULL,
	`tax_rate_bps` integer NOT NULL,
	`valid_until` integer NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`one_time_subtotal_minor` integer NOT NULL,
	`recurring_monthly_subtotal_minor` integer NOT NULL,
	`recurring_annual_subtotal_minor` integer NOT NULL,
	`discount_minor` integer NOT NULL,
	`tax_minor` integer NOT NULL,
	`total_minor` integer NOT NULL,
	`sent_at` integer,
	`decided_at` integer,
	`decision_reason` text,
	`decided_by_contact_id` text,
	`idempotency_key` text,
	`request_hash` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`deal_id`) REFERENCES `cavalier_deals`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`contact_id`) REFERENCES `cavalier_contacts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cavalier_quotes_tenant_idx` ON `cavalier_quotes` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `cavalier_quotes_deal_idx` ON `cavalier_quotes` (`deal_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `cavalier_quotes_number_uq` ON `cavalier_quotes` (`tenant_id`,`quote_number`,`version`);--> statement-breakpoint
CREATE UNIQUE INDEX `cavalier_quotes_idem_uq` ON `cavalier_quotes` (`tenant_id`,`idempotency_key`);