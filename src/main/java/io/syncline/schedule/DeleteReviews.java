package io.syncline.schedule;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.syncline.http.Problem;
import io.syncline.http.ProblemException;
import io.syncline.store.Database;
import io.syncline.store.RecordKey;
import io.syncline.store.RecordStore;
import io.syncline.store.SeenKeys;

/**
 * The review step before a mass delete (guarantee 4). A complete full refresh that would delete
 * more than its sync's {@code maxDeleteShare} deletes nothing and holds the deletions here: the
 * exact records it did not see, with the content each had. Approving applies exactly those, and
 * only while the preview still holds: a record seen again by a later run, changed since, or
 * already gone makes the preview stale, and the approval is refused. A newer run's review
 * replaces an older one still pending.
 */
@ApplicationScoped
public class DeleteReviews {

    public record Review(long id, SyncState.Pair pair, String model, long runId, long live, long deletes, String status,
            OffsetDateTime createdAt, OffsetDateTime decidedAt, String decidedBy) {
    }

    /** A record a review would delete, with the content it had when the review was made. */
    public record Held(String externalId, String payload) {
    }

    private final Database db;
    private final RecordStore store;
    private final SyncState state;

    public DeleteReviews(Database db, RecordStore store, SyncState state) {
        this.db = db;
        this.store = store;
        this.state = state;
    }

    /** Within the run's last transaction: holds what it did not see for review, instead of deleting it. */
    long hold(Connection c, SyncState.Pair pair, String model, long runId, RecordStore.Unseen u) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE delete_reviews SET status = 'superseded', decided_at = ?
                 WHERE provider_config_key = ? AND connection_id = ? AND sync_name = ? AND status = 'pending'""")) {
            ps.setObject(1, RecordStore.now());
            bind(ps, pair, 2);
            ps.executeUpdate();
        }
        long id;
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO delete_reviews (provider_config_key, connection_id, sync_name, model, run_id, live, deletes,
                                            status, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)""", Statement.RETURN_GENERATED_KEYS)) {
            bind(ps, pair, 1);
            ps.setString(4, model);
            ps.setLong(5, runId);
            ps.setLong(6, u.live());
            ps.setLong(7, u.unseen());
            ps.setObject(8, RecordStore.now());
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO delete_review_records (review_id, external_id, content_hash)
                SELECT ?, external_id, content_hash FROM records
                 WHERE stream = ? AND deleted_at IS NULL AND\s""" + SeenKeys.UNSEEN)) {
            ps.setLong(1, id);
            ps.setString(2, RecordKey.stream(pair.providerConfigKey(), pair.connectionId(), model));
            SeenKeys.bindUnseen(ps, 3, runId);
            ps.executeUpdate();
        }
        return id;
    }

    public List<Review> list(String integration, String connectionId, String status) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM delete_reviews WHERE 1 = 1");
        List<String> args = new ArrayList<>();
        for (String[] f : new String[][] { { "provider_config_key", integration }, { "connection_id", connectionId },
                { "status", status } }) {
            if (f[1] != null && !f[1].isBlank()) {
                sql.append(" AND ").append(f[0]).append(" = ?");
                args.add(f[1]);
            }
        }
        sql.append(" ORDER BY id DESC");
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setString(i + 1, args.get(i));
                }
                List<Review> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(review(rs));
                    }
                }
                return out;
            }
        });
    }

    public Optional<Review> find(long id) {
        return db.inTransaction(c -> find(c, id, false));
    }

    /** The records a review would delete, as they are stored now, up to {@code limit}. */
    public List<Held> records(Review r, int limit) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT h.external_id, r.payload FROM delete_review_records h
                      LEFT JOIN records r ON r.stream = ? AND r.external_id = h.external_id
                     WHERE h.review_id = ? ORDER BY h.external_id""")) {
                ps.setString(1, RecordKey.stream(r.pair().providerConfigKey(), r.pair().connectionId(), r.model()));
                ps.setLong(2, r.id());
                ps.setMaxRows(limit);
                List<Held> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Held(rs.getString(1), rs.getString(2)));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Applies exactly the previewed deletions, in one transaction, if every previewed record is
     * still live, unchanged and unseen since; returns how many were deleted.
     */
    public long approve(long id, String by) {
        // a stale preview is recorded as decided (committed), and only then refused
        record Approval(long deleted, long stale) {
        }
        Approval done = db.inTransaction(c -> {
            Review r = pending(c, id);
            String stream = RecordKey.stream(r.pair().providerConfigKey(), r.pair().connectionId(), r.model());
            long stale;
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT COUNT(*) FROM delete_review_records h
                      LEFT JOIN records r ON r.stream = ? AND r.external_id = h.external_id
                     WHERE h.review_id = ? AND (r.external_id IS NULL OR r.deleted_at IS NOT NULL
                           OR r.content_hash <> h.content_hash OR (r.seen_by_run IS NOT NULL AND r.seen_by_run > ?)
                           OR h.seen_again OR\s""" + SeenKeys.SEEN_BY_A_RUNNING_PASS + ")")) {
                ps.setString(1, stream);
                ps.setLong(2, id);
                ps.setLong(3, r.runId());
                ps.setString(4, r.pair().providerConfigKey());
                ps.setString(5, r.pair().connectionId());
                ps.setString(6, r.pair().syncName());
                ps.setLong(7, r.runId());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    stale = rs.getLong(1);
                }
            }
            if (stale > 0) {
                decide(c, id, "stale", by);
                return new Approval(0, stale);
            }
            OffsetDateTime now = RecordStore.now();
            long n;
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE records SET deleted_at = ?, last_modified_at = ?, last_action = 'DELETED', %s
                     WHERE stream = ? AND deleted_at IS NULL
                       AND external_id IN (SELECT external_id FROM delete_review_records WHERE review_id = ?)"""
                    .formatted(RecordStore.toFeedEnd(db)))) {
                ps.setObject(1, now);
                ps.setObject(2, now);
                ps.setString(3, stream);
                ps.setLong(4, id);
                n = ps.executeUpdate();
            }
            state.unannounced(c, r.pair(), now, 0, 0, n);
            decide(c, id, "approved", by);
            return new Approval(n, 0);
        });
        if (done.stale() > 0) {
            throw new ProblemException(Problem.of(409, "preview-stale", "The source changed since the preview",
                    done.stale() + " of the records this review would delete were seen again, changed or deleted since; "
                            + "nothing was deleted, and the sync's next run makes a new review"));
        }
        store.poke();
        return done.deleted();
    }

    public void reject(long id, String by) {
        db.inTransaction(c -> {
            pending(c, id);
            decide(c, id, "rejected", by);
            return null;
        });
    }

    private Review pending(Connection c, long id) throws SQLException {
        Review r = find(c, id, true).orElseThrow(() -> ProblemException.notFound("no delete review " + id));
        if (!r.status().equals("pending")) {
            throw new ProblemException(Problem.of(409, "review-decided", "The review is not pending",
                    "delete review " + id + " is " + r.status() + "; only a pending review can be approved or rejected"));
        }
        return r;
    }

    private static void decide(Connection c, long id, String status, String by) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE delete_reviews SET status = ?, decided_at = ?, decided_by = ? WHERE id = ?")) {
            ps.setString(1, status);
            ps.setObject(2, RecordStore.now());
            ps.setString(3, by);
            ps.setLong(4, id);
            ps.executeUpdate();
        }
    }

    private static final String COLUMNS = "id, provider_config_key, connection_id, sync_name, model, run_id, live, "
            + "deletes, status, created_at, decided_at, decided_by";

    private static Optional<Review> find(Connection c, long id, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM delete_reviews WHERE id = ?"
                + (lock ? " FOR UPDATE" : ""))) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(review(rs)) : Optional.empty();
            }
        }
    }

    private static Review review(ResultSet rs) throws SQLException {
        return new Review(rs.getLong(1), new SyncState.Pair(rs.getString(2), rs.getString(3), rs.getString(4)),
                rs.getString(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getString(9),
                rs.getObject(10, OffsetDateTime.class), rs.getObject(11, OffsetDateTime.class), rs.getString(12));
    }

    private static void bind(PreparedStatement ps, SyncState.Pair p, int from) throws SQLException {
        ps.setString(from, p.providerConfigKey());
        ps.setString(from + 1, p.connectionId());
        ps.setString(from + 2, p.syncName());
    }
}
