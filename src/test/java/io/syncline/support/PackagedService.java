package io.syncline.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The packaged service (target/quarkus-app) as a real process, for tests that must kill or refuse it. */
public final class PackagedService {

    public static final String KEY = "it-api-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private PackagedService() {
    }

    /**
     * Starts it on {@code port} with its data and routes under {@code home}; output goes to
     * {@code log}. Each property is a system property ({@code name=value}), or a JVM option when
     * it starts with {@code -X}.
     */
    public static Process start(Path home, int port, Path log, String... properties) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                "-Dsyncline.data-dir=" + home.resolve("data"), "-Dsyncline.routes-dir=" + home.resolve("routes"),
                "-Dsyncline.api-key=" + KEY, "-Dsyncline.encryption-key=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="));
        for (String p : properties) {
            cmd.add(p.startsWith("-X") ? p : "-D" + p);
        }
        cmd.add("-jar");
        cmd.add(System.getProperty("syncline.jar", "target/quarkus-app/quarkus-run.jar"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** {@link #start(Path, int, Path, String...)} with its output in a log of its own under {@code home}. */
    public static Process start(Path home, int port, String... properties) throws IOException {
        return start(home, port, home.resolve("service-" + System.nanoTime() + ".log"), properties);
    }

    /** The common properties of several processes, and more for one of them. */
    public static String[] with(String[] common, String... more) {
        List<String> all = new ArrayList<>(List.of(common));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** The contact mapping the process tests' syncs use: an id and an email. */
    public static void writeContactMapping(Path routes) throws IOException {
        java.nio.file.Files.writeString(routes.resolve("contact.mapping.yaml"), """
                model: Contact
                key: id
                fields:
                  id:    { path: $.id, type: string, required: true }
                  email: { path: $.email, type: string }
                """);
    }

    public static boolean ready(int port) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public static int freePortOrFail() {
        try {
            return freePort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A JSON request with the bootstrap API key, as a client of the running process sends it. */
    public static HttpResponse<String> send(int port, String method, String path, java.util.Map<String, String> headers,
            String body) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(r::header);
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }
}
