-- Wake embedded job workers when events or runs are committed (NOTIFY is delivered on commit only).
CREATE FUNCTION steller_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('steller_jobs', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER job_events_notify AFTER INSERT ON job_events FOR EACH STATEMENT EXECUTE FUNCTION steller_jobs_notify();
--> statement-breakpoint
CREATE TRIGGER job_runs_notify AFTER INSERT ON job_runs FOR EACH STATEMENT EXECUTE FUNCTION steller_jobs_notify();
--> statement-breakpoint
ALTER TABLE job_runs ADD CONSTRAINT job_runs_status_check CHECK (status in ('queued', 'running', 'sleeping', 'completed', 'failed', 'cancelled'));
