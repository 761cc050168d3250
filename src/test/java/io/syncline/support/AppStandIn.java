package io.syncline.support;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The base of a catalogue app's tests: a WireMock server on a free loopback port stands in for
 * the app, and every connection a test makes is removed after it, so no later run of another
 * test reaches for a stand-in that is gone. An app whose provider file must point at the
 * stand-in before the service starts (its token URL) starts it as a {@link Resource} instead.
 */
public abstract class AppStandIn {

    protected static WireMockServer wm;
    private static boolean ours;
    private final List<String[]> made = new ArrayList<>();

    @BeforeAll
    static void standIn() {
        ours = Resource.server == null;
        wm = ours ? started() : Resource.server;
    }

    @AfterAll
    static void stopStandIn() {
        if (ours) {
            wm.stop();
        }
    }

    @AfterEach
    void forget() {
        made.forEach(m -> CatalogueApi.delete(m[0], m[1]));
        made.clear();
        wm.resetAll();
    }

    /** A new connection of the integration, removed after the test. */
    protected String connection(String integration, String baseUrl, Map<String, String> credentials) {
        return connection(integration, baseUrl, credentials, Map.of());
    }

    protected String connection(String integration, String baseUrl, Map<String, String> credentials,
            Map<String, Object> metadata) {
        String id = CatalogueApi.connection(integration, baseUrl, credentials, metadata);
        made.add(new String[] {integration, id});
        return id;
    }

    private static WireMockServer started() {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        return server;
    }

    /** The stand-in started before the service, with the configuration that points the app's URLs at it. */
    public abstract static class Resource implements QuarkusTestResourceLifecycleManager {
        static WireMockServer server;

        /** The configuration the service starts with, given the stand-in's base URL. */
        protected abstract Map<String, String> config(String baseUrl);

        @Override
        public Map<String, String> start() {
            server = started();
            return config(server.baseUrl());
        }

        @Override
        public void stop() {
            server.stop();
            server = null;
        }
    }
}
