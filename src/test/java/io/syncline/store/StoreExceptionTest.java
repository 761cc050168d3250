package io.syncline.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

/** Database failures are logged with ids and states, never with the field values the database quotes. */
class StoreExceptionTest {

    @Test
    void theValuesADatabaseQuotesNeverReachTheMessageOrTheCause() {
        SQLException h2 = new SQLException("Value too long for column \"email CHARACTER VARYING(500)\": "
                + "\"'ada.lovelace@example.com' (501)\"; SQL statement:\nINSERT INTO records VALUES (?)", "22001", 22001);
        SQLException pg = new SQLException("ERROR: duplicate key value violates unique constraint \"records_key\"\n"
                + "  Detail: Key (stream, external_id)=(crm, ada.lovelace@example.com) already exists.", "23505");
        for (SQLException e : new SQLException[] { h2, pg }) {
            Database.StoreException se = new Database.StoreException(e);
            assertFalse(se.getMessage().contains("ada.lovelace"), se.getMessage());
            assertFalse(se.getCause().getMessage().contains("ada.lovelace"), se.getCause().getMessage());
            assertEquals(e.getSQLState(), ((SQLException) se.getCause()).getSQLState());
        }
        assertEquals(true, new Database.StoreException(pg).isUniqueViolation());
    }
}
