-- A recorder database at schema revision 0001 (attributes inline on each state),
-- saved with sqlite3 .dump; test_migrations.py upgrades it.
BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "alembic_version" VALUES('0001');
CREATE TABLE events (
	event_id INTEGER NOT NULL, 
	event_type VARCHAR NOT NULL, 
	event_data TEXT NOT NULL, 
	time_fired_ts FLOAT NOT NULL, 
	context_id VARCHAR NOT NULL, 
	origin VARCHAR(16) NOT NULL, 
	user_id VARCHAR, 
	parent_id VARCHAR, 
	PRIMARY KEY (event_id)
);
INSERT INTO "events" VALUES(1,'hub_start','{}',1767225600.0,'01KDVDNA0020KW71NVRK6P2FH0','automation',NULL,NULL);
INSERT INTO "events" VALUES(2,'call_service','{"domain":"light","service":"turn_on"}',1767226199.0,'01KDVDNA0020KW71NVRK6P2FHM','voice','jo',NULL);
CREATE TABLE states (
	state_id INTEGER NOT NULL, 
	entity_id VARCHAR NOT NULL, 
	state VARCHAR, 
	attributes TEXT, 
	last_changed_ts FLOAT NOT NULL, 
	last_updated_ts FLOAT NOT NULL, 
	context_id VARCHAR NOT NULL, 
	origin VARCHAR(16) NOT NULL, 
	user_id VARCHAR, 
	parent_id VARCHAR, 
	PRIMARY KEY (state_id)
);
INSERT INTO "states" VALUES(1,'light.kitchen','on','{"brightness":200,"friendly_name":"Kitchen"}',1767225600.0,1767225600.0,'01KDVDNA0020KW71NVRK6P2FHG','physical','mina',NULL);
INSERT INTO "states" VALUES(2,'light.kitchen','off','{"brightness":0,"friendly_name":"Kitchen"}',1767225900.0,1767225900.0,'01KDVDNA0020KW71NVRK6P2FHH','automation',NULL,'01KDVDNA0020KW71NVRK6P2FHG');
INSERT INTO "states" VALUES(3,'sensor.temp','21.5','{"unit_of_measurement":"°C"}',1767225660.0,1767225660.0,'01KDVDNA0020KW71NVRK6P2FHJ','sensor',NULL,NULL);
INSERT INTO "states" VALUES(4,'sensor.temp','21.5','{"unit_of_measurement":"°C"}',1767225660.0,1767225720.0,'01KDVDNA0020KW71NVRK6P2FHK','sensor',NULL,NULL);
INSERT INTO "states" VALUES(5,'light.kitchen','on','{"brightness":200,"friendly_name":"Kitchen"}',1767226200.0,1767226200.0,'01KDVDNA0020KW71NVRK6P2FHM','voice','jo',NULL);
INSERT INTO "states" VALUES(6,'person.mina','home','{}',1767226300.0,1767226300.0,'01KDVDNA0020KW71NVRK6P2FHN','sensor',NULL,NULL);
INSERT INTO "states" VALUES(7,'sensor.temp',NULL,NULL,1767226400.0,1767226400.0,'01KDVDNA0020KW71NVRK6P2FHP','automation',NULL,NULL);
CREATE INDEX ix_events_time_fired_ts ON events (time_fired_ts);
CREATE INDEX ix_events_origin_time ON events (origin, time_fired_ts);
CREATE INDEX ix_events_user_time ON events (user_id, time_fired_ts);
CREATE INDEX ix_states_entity_time ON states (entity_id, last_updated_ts);
CREATE INDEX ix_states_last_updated_ts ON states (last_updated_ts);
COMMIT;
