-- Replicas sharing one PostgreSQL announce themselves here, so that each takes its share of a
-- connection's rate budget (guarantee 6 across replicas).
CREATE TABLE replicas (
    id           VARCHAR(100) PRIMARY KEY,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL
);
