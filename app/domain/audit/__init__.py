"""Audit trail: one row per significant act. Ids and states only, never conversation text.

`record` is re-exported here because every service writes its record next to its state change
as `audit.record(...)` (`from app.domain import audit`); the trail as admins read it is
`services.AuditTrail`, served by `controllers.AuditController`.
"""

from app.domain.audit.services import record as record
