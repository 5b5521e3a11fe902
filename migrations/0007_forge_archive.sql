ALTER TABLE `forge_documents` ADD `archived_at` integer;--> statement-breakpoint
ALTER TABLE `forge_documents` ADD `archived_by` text;--> statement-breakpoint
ALTER TABLE `forge_documents` ADD `archive_reason` text;