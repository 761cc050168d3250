package io.syncline.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A connected app whose list endpoint pages in every common style over a live, sorted set of
 * records, so that a delete shifts the records behind it the way real APIs do. Each connection
 * has its own set at {@code /{connection}/contacts}. A page that starts at a chosen index can be
 * made to fail, to interrupt a run part way.
 */
public final class ShiftingSource implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, TreeSet<String>> sets = new ConcurrentHashMap<>();
    private final Map<String, Integer> failAt = new ConcurrentHashMap<>();

    public ShiftingSource() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::serve);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void put(String conn, List<String> ids) {
        sets.computeIfAbsent(conn, k -> new TreeSet<>()).addAll(ids);
    }

    public void delete(String conn, List<String> ids) {
        sets.get(conn).removeAll(ids);
    }

    /** Pages that start at {@code index} answer 500 until {@link #heal}. */
    public void failPageAt(String conn, int index) {
        failAt.put(conn, index);
    }

    public void heal(String conn) {
        failAt.remove(conn);
    }

    private void serve(HttpExchange ex) throws IOException {
        String[] parts = ex.getRequestURI().getPath().split("/");
        String conn = parts.length > 1 ? parts[1] : "";
        Map<String, String> q = Exchanges.form(ex.getRequestURI().getRawQuery());
        List<String> all;
        synchronized (this) {
            all = new ArrayList<>(sets.getOrDefault(conn, new TreeSet<>()));
        }
        int limit = Integer.parseInt(q.getOrDefault("limit", "10"));
        int from;
        if (q.containsKey("offset")) {
            from = Integer.parseInt(q.get("offset"));
        } else if (q.containsKey("page")) {
            from = (Integer.parseInt(q.get("page")) - 1) * limit;
        } else if (q.containsKey("cursor")) {
            from = Integer.parseInt(q.get("cursor"));
        } else if (q.containsKey("after")) {
            int i = 0;
            while (i < all.size() && all.get(i).compareTo(q.get("after")) <= 0) {
                i++;
            }
            from = i;
        } else {
            from = 0;
        }
        Integer fail = failAt.get(conn);
        if (fail != null && fail == from) {
            Exchanges.json(ex, 500, "{\"error\":\"temporarily unavailable\"}", null);
            return;
        }
        List<String> page = all.subList(Math.min(from, all.size()), Math.min(from + limit, all.size()));
        boolean more = from + limit < all.size();
        StringBuilder body = new StringBuilder("{\"items\":[");
        for (int i = 0; i < page.size(); i++) {
            body.append(i == 0 ? "" : ",").append("{\"id\":\"").append(page.get(i)).append("\",\"email\":\"")
                    .append(page.get(i)).append("@example.com\"}");
        }
        body.append("]");
        if (more) {
            body.append(",\"next\":\"").append(q.containsKey("after") ? page.get(page.size() - 1)
                    : Integer.toString(from + limit)).append('"');
        }
        body.append("}");
        String link = more && q.containsKey("page") && q.containsKey("link") ? "</" + conn + "/contacts?link=1&limit="
                + limit + "&page=" + (from / limit + 2) + ">; rel=\"next\"" : null;
        Exchanges.json(ex, 200, body.toString(), link);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
