import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The limits Syncline's benchmarks are measured against, in plain JDBC with nothing of Syncline:
 *
 *   java -cp DRIVER RawJdbc.java insert URL USER SECONDS THREADS
 *     single-row INSERT ... ON CONFLICT DO NOTHING of unique keys, one connection per thread,
 *     autocommit (each insert durable on its own, as each webhook is); prints inserts/s and p99
 *   java -cp DRIVER RawJdbc.java select URL USER STREAM PAGE
 *     reads every record of one stream in feed order, PAGE rows at a time (keyset paging on
 *     (feed_xid, feed_position), as GET /records does); prints records/s and p99 per page
 */
public class RawJdbc {

    public static void main(String[] a) throws Exception {
        if (a[0].equals("insert")) {
            insert(a[1], a[2], Integer.parseInt(a[3]), Integer.parseInt(a[4]));
        } else {
            select(a[1], a[2], a[3], Integer.parseInt(a[4]));
        }
    }

    static void insert(String url, String user, int seconds, int threads) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS raw_insert_limit");
            s.execute("CREATE TABLE raw_insert_limit (scope VARCHAR(400) NOT NULL, message_id VARCHAR(400) NOT NULL, "
                    + "created_at TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY (scope, message_id))");
        }
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong done = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<long[]>> results = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            results.add(pool.submit(() -> {
                List<Long> lat = new ArrayList<>();
                try (Connection c = DriverManager.getConnection(url, user, "");
                        PreparedStatement ps = c.prepareStatement("INSERT INTO raw_insert_limit (scope, message_id, "
                                + "created_at) VALUES (?, ?, CURRENT_TIMESTAMP) ON CONFLICT DO NOTHING")) {
                    long i = 0;
                    while (System.nanoTime() < end) {
                        long s = System.nanoTime();
                        ps.setString(1, "bench");
                        ps.setString(2, thread + "-" + i++);
                        ps.executeUpdate();
                        lat.add(System.nanoTime() - s);
                        done.incrementAndGet();
                    }
                }
                return lat.stream().mapToLong(Long::longValue).toArray();
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<long[]> f : results) {
            for (long l : f.get()) {
                all.add(l);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        System.out.printf("RAW insert rps=%.0f p99_ms=%.2f n=%d%n", done.get() / secs, p99(all), done.get());
    }

    static void select(String url, String user, String stream, int page) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, "");
                PreparedStatement ps = c.prepareStatement("SELECT payload, first_seen_at, last_modified_at, last_action, "
                        + "deleted_at, feed_position, feed_xid::text AS transaction_id FROM records WHERE stream = ? "
                        + "AND (feed_xid, feed_position) > (?::xid8, ?) AND feed_xid >= '0'::xid8 " // the feed index's condition (V19)
                        // named apart: ORDER BY takes an output column's name before a table column's, and an
                        // unnamed feed_xid::text is named feed_xid, which sorted the stream as text per page
                        + "ORDER BY feed_xid, feed_position LIMIT ?")) {
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("SET enable_sort = off"); // index order, as the store's feed read asks for it (ChangesFeed)
            }
            long after = 0, n = 0;
            String afterXid = "0";
            List<Long> lat = new ArrayList<>();
            long t0 = System.nanoTime();
            while (true) {
                long s = System.nanoTime();
                ps.setString(1, stream);
                ps.setString(2, afterXid);
                ps.setLong(3, after);
                ps.setInt(4, page);
                int rows = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rs.getString(1);
                        rs.getObject(2);
                        rs.getObject(3);
                        rs.getString(4);
                        rs.getObject(5);
                        after = rs.getLong(6);
                        afterXid = rs.getString(7);
                        rows++;
                    }
                }
                lat.add(System.nanoTime() - s);
                n += rows;
                if (rows < page) {
                    break;
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("RAW select rps=%.0f p99_ms=%.2f n=%d%n", n / secs, p99(lat), n);
        }
    }

    static double p99(List<Long> nanos) {
        long[] v = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(v);
        return v.length == 0 ? 0 : v[(int) Math.min(v.length - 1, Math.ceil(v.length * 0.99) - 1)] / 1e6;
    }
}
