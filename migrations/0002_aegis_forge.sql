CREATE TABLE `aegis_controls` (
	`id` text PRIMARY KEY NOT NULL,
	`framework` text NOT NULL,
	`control_ref` text NOT NULL,
	`title` text NOT NULL,
	`category` text NOT NULL,
	`profile` text,
	`description` text NOT NULL,
	`rationale` text NOT NULL,
	`remediation` text NOT NULL,
	`max_score` integer DEFAULT 0 NOT NULL,
	`implementation_cost` text NOT NULL,
	`user_impact` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `aegis_controls_ref_uq` ON `aegis_controls` (`framework`,`control_ref`);--> statement-breakpoint
CREATE INDEX `aegis_controls_category_idx` ON `aegis_controls` (`category`);--> statement-breakpoint
CREATE TABLE `aegis_finding_events` (
	`id` text PRIMARY KEY NOT NULL,
	`finding_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`actor_user_id` text,
	`actor_name` text NOT NULL,
	`action` text NOT NULL,
	`from_status_id` integer,
	`to_status_id` integer,
	`comment` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`finding_id`) REFERENCES `aegis_findings`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `aegis_finding_events_finding_idx` ON `aegis_finding_events` (`finding_id`,`at`);--> statement-breakpoint
CREATE TABLE `aegis_finding_resources` (
	`finding_id` text NOT NULL,
	`resource_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	PRIMARY KEY(`finding_id`, `resource_id`),
	FOREIGN KEY (`finding_id`) REFERENCES `aegis_findings`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`resource_id`) REFERENCES `aegis_resources`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `aegis_finding_resources_resource_idx` ON `aegis_finding_resources` (`resource_id`);--> statement-breakpoint
CREATE TABLE `aegis_findings` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`uid` text NOT NULL,
	`class_uid` integer NOT NULL,
	`source` text NOT NULL,
	`control_id` text,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`types` text DEFAULT '[]' NOT NULL,
	`severity_id` integer NOT NULL,
	`status_id` integer NOT NULL,
	`compliance_status_id` integer,
	`remediation` text NOT NULL,
	`risk_score` integer DEFAULT 0 NOT NULL,
	`assignee_user_id` text,
	`assignee_name` text,
	`suppression_reason` text,
	`suppression_justification` text,
	`suppressed_until` integer,
	`resolution_note` text,
	`resolution_evidence` text,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`resolved_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`control_id`) REFERENCES `aegis_controls`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `aegis_findings_uid_uq` ON `aegis_findings` (`tenant_id`,`uid`);--> statement-breakpoint
CREATE INDEX `aegis_findings_tenant_status_idx` ON `aegis_findings` (`tenant_id`,`status_id`,`severity_id`);--> statement-breakpoint
CREATE INDEX `aegis_findings_control_idx` ON `aegis_findings` (`control_id`);--> statement-breakpoint
CREATE TABLE `aegis_improvement_actions` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`control_id` text,
	`title` text NOT NULL,
	`category` text NOT NULL,
	`action_type` text NOT NULL,
	`service` text NOT NULL,
	`score` integer NOT NULL,
	`max_score` integer NOT NULL,
	`implementation_cost` text NOT NULL,
	`user_impact` text NOT NULL,
	`tier` text NOT NULL,
	`rank` integer NOT NULL,
	`state` text NOT NULL,
	`remediation` text NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`control_id`) REFERENCES `aegis_controls`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `aegis_actions_tenant_idx` ON `aegis_improvement_actions` (`tenant_id`,`rank`);--> statement-breakpoint
CREATE TABLE `aegis_posture_snapshots` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`day` text NOT NULL,
	`captured_at` integer NOT NULL,
	`score` integer NOT NULL,
	`max_score` integer NOT NULL,
	`by_category` text NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `aegis_posture_day_uq` ON `aegis_posture_snapshots` (`tenant_id`,`day`);--> statement-breakpoint
CREATE TABLE `aegis_resources` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`external_ref` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `aegis_resources_tenant_idx` ON `aegis_resources` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `forge_document_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`document_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`version` integer NOT NULL,
	`title` text NOT NULL,
	`summary` text NOT NULL,
	`body` text NOT NULL,
	`steps` text,
	`tags` text NOT NULL,
	`visibility` text NOT NULL,
	`change_note` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`idempotency_key` text,
	`request_hash` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `forge_versions_doc_version_uq` ON `forge_document_versions` (`document_id`,`version`);--> statement-breakpoint
CREATE UNIQUE INDEX `forge_versions_idem_uq` ON `forge_document_versions` (`tenant_id`,`idempotency_key`);--> statement-breakpoint
CREATE TABLE `forge_documents` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`summary` text NOT NULL,
	`body` text NOT NULL,
	`steps` text,
	`tags` text DEFAULT '' NOT NULL,
	`visibility` text NOT NULL,
	`version` integer NOT NULL,
	`updated_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `forge_documents_id_unique` ON `forge_documents` (`id`);--> statement-breakpoint
CREATE INDEX `forge_documents_tenant_idx` ON `forge_documents` (`tenant_id`,`kind`);