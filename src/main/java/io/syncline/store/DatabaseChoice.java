package io.syncline.store;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;

/**
 * Chooses the state store at run time, so one build serves both: the embedded H2 (default
 * datasource) unless {@code syncline.db.url} names a PostgreSQL database (datasource "pg").
 * Only the chosen datasource is active; the other one is never opened.
 */
public class DatabaseChoice implements ConfigSourceFactory {

    static final String URL = "syncline.db.url";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue url = context.getValue(URL);
        boolean postgres = url != null && url.getValue() != null && !url.getValue().isBlank();
        Map<String, String> values = Map.of(
                "quarkus.datasource.active", Boolean.toString(!postgres),
                "quarkus.datasource.\"pg\".active", Boolean.toString(postgres),
                "quarkus.datasource.pg.active", Boolean.toString(postgres));
        // Low ordinal: an explicit quarkus.datasource.*.active setting still wins.
        return List.of(new MapBackedConfigSource("syncline-database-choice", values, 150) {
        });
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(150);
    }
}
