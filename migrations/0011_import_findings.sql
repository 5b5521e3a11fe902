DROP INDEX `aegis_findings_uid_uq`;--> statement-breakpoint
CREATE UNIQUE INDEX `aegis_findings_source_uid_uq` ON `aegis_findings` (`tenant_id`,`source`,`uid`);--> statement-breakpoint
ALTER TABLE `forge_documents` ADD `source_path` text;--> statement-breakpoint
CREATE UNIQUE INDEX `forge_documents_source_path_uq` ON `forge_documents` (`tenant_id`,`source_path`);--> statement-breakpoint
CREATE INDEX `aegis_resources_ref_idx` ON `aegis_resources` (`tenant_id`,`kind`,`external_ref`);