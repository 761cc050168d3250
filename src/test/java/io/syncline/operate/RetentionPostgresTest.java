package io.syncline.operate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.syncline.schedule.Frequency;
import io.syncline.support.Db;
import io.syncline.support.PostgresProfile;
import io.syncline.support.RequiresPostgres;

/**
 * On PostgreSQL the flow log is partitioned by day: retention creates the next days ahead of
 * their lines and drops a day once all of it is past the retention, keeping the days after it.
 */
@QuarkusTest
@TestProfile(PostgresProfile.class)
@RequiresPostgres
class RetentionPostgresTest extends RetentionContract {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");

    @ConfigProperty(name = "syncline.flow.retention", defaultValue = "30d")
    String flow;

    @Test
    void theFlowLogsNextDaysHavePartitionsAndADayPastTheRetentionIsDroppedWhole() {
        retention.prune();
        LocalDate today = OffsetDateTime.now(ZoneOffset.UTC).toLocalDate();
        for (int ahead = 1; ahead <= Retention.DAYS_AHEAD; ahead++) {
            assertEquals(1, Db.count("SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'flow_log'::regclass "
                    + "AND inhrelid = to_regclass(?)", "flow_log_day_" + DAY.format(today.plusDays(ahead))),
                    "day +" + ahead + " has its partition before it starts");
        }
        LocalDate first = today.plusDays(1);
        String scope = "days-" + UUID.randomUUID();
        line(scope, "first-day", first.atTime(12, 0).atOffset(ZoneOffset.UTC));
        line(scope, "third-day", first.plusDays(2).atTime(12, 0).atOffset(ZoneOffset.UTC));
        assertEquals(1, Db.count("SELECT COUNT(*) FROM flow_log WHERE sync_name = ? AND record_id = 'first-day' "
                + "AND tableoid = to_regclass(?)", scope, "flow_log_day_" + DAY.format(first)),
                "a line lands in its day");

        // an hour after the first day's last line is past the retention
        OffsetDateTime later = first.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC).plus(Frequency.parse(flow))
                .plusHours(1);
        Map<String, Integer> pruned = retention.prune(later);

        assertTrue(pruned.get("flow_log_days_dropped") >= 1, "the first day is dropped: " + pruned);
        assertEquals(0, Db.count("SELECT COUNT(*) FROM pg_inherits WHERE inhrelid = to_regclass(?)",
                "flow_log_day_" + DAY.format(first)), "its partition is gone");
        assertEquals(0, Db.count("SELECT COUNT(*) FROM flow_log WHERE sync_name = ? AND record_id = ?", scope,
                "first-day"));
        assertEquals(1, Db.count("SELECT COUNT(*) FROM flow_log WHERE sync_name = ? AND record_id = ?", scope,
                "third-day"), "a day not yet past the retention keeps its lines");
    }

    private static void line(String scope, String recordId, OffsetDateTime at) {
        Db.update("""
                INSERT INTO flow_log (write_id, at, sync_name, provider_config_key, connection_id, model, record_id,
                                      result, attempts) VALUES (0, ?, ?, 'p', 'c', 'm', ?, 'sent', 1)""",
                at, scope, recordId);
    }
}
