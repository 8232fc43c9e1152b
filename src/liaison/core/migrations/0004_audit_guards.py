"""Close the gaps around the audit log's append-only rule on PostgreSQL.

- TRUNCATE of the events (and the per-person index) is refused, as UPDATE and DELETE already are.
- The per-person index is append-only too.
- The chain head can only move forward: no DELETE, no UPDATE that lowers `last_event_id`.

A maintenance session may set `liaison.audit_maintenance = 'on'` to truncate (the test suite does,
to reset its database between tests); an application session never does.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION liaison_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('liaison.audit_maintenance', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit tables are append-only: TRUNCATE refused on %', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION liaison_audit_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit chain head cannot be deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.last_event_id <= OLD.last_event_id THEN
        RAISE EXCEPTION 'the audit chain head only moves forward' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER core_auditevent_no_truncate
    BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION liaison_audit_no_truncate();
CREATE TRIGGER core_auditeventperson_append_only
    BEFORE UPDATE OR DELETE ON core_auditeventperson
    FOR EACH ROW EXECUTE FUNCTION liaison_audit_append_only();
CREATE TRIGGER core_auditeventperson_no_truncate
    BEFORE TRUNCATE ON core_auditeventperson
    FOR EACH STATEMENT EXECUTE FUNCTION liaison_audit_no_truncate();
CREATE TRIGGER core_auditchainhead_forward_only
    BEFORE UPDATE OR DELETE ON core_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION liaison_audit_head_forward_only();
CREATE TRIGGER core_auditchainhead_no_truncate
    BEFORE TRUNCATE ON core_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION liaison_audit_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS core_auditchainhead_no_truncate ON core_auditchainhead;
DROP TRIGGER IF EXISTS core_auditchainhead_forward_only ON core_auditchainhead;
DROP TRIGGER IF EXISTS core_auditeventperson_no_truncate ON core_auditeventperson;
DROP TRIGGER IF EXISTS core_auditeventperson_append_only ON core_auditeventperson;
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP FUNCTION IF EXISTS liaison_audit_head_forward_only();
DROP FUNCTION IF EXISTS liaison_audit_no_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_event_person")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
