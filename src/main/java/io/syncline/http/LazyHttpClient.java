package io.syncline.http;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A JDK HTTP client built on its first use. Building the first client of a JVM loads its TLS
 * trust store, about a fifth of a second of start-up on two cores, which a bean created at start
 * should not spend before it sends anything.
 */
public final class LazyHttpClient implements Supplier<HttpClient> {

    private final Supplier<HttpClient> build;
    private volatile HttpClient client;

    public LazyHttpClient(Supplier<HttpClient> build) {
        this.build = build;
    }

    /** A client with the JDK's defaults and this connect timeout. */
    public static LazyHttpClient connectTimeout(Duration timeout) {
        return new LazyHttpClient(() -> HttpClient.newBuilder().connectTimeout(timeout).build());
    }

    @Override
    public HttpClient get() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = build.get();
                }
                c = client;
            }
        }
        return c;
    }
}
