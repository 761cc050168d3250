package io.syncline.store;

import java.nio.file.Path;
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
 * Only the chosen datasource is active; the other one is never opened. The H2 file lives
 * under {@code syncline.data-dir}. Likewise the datasource "app" (your app's own database, read by
 * outbox readers and SQL sources) is active only when {@code syncline.app-db.url} is set.
 */
public class DatabaseChoice implements ConfigSourceFactory {

    static final String URL = "syncline.db.url";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue url = context.getValue(URL);
        boolean postgres = url != null && url.getValue() != null && !url.getValue().isBlank();
        ConfigValue dir = context.getValue("syncline.data-dir");
        String dataDir = dir == null || dir.getValue() == null || dir.getValue().isBlank() ? "./data" : dir.getValue();
        // H2 wants an explicit path; resolving it here lets syncline.data-dir be any relative or absolute path.
        // WRITE_DELAY=0: a commit reaches the file before it returns, so a killed process loses nothing
        // it acknowledged (guarantee 1); H2's default delay of half a second lost a just-queued write.
        String h2 = "jdbc:h2:file:" + Path.of(dataDir).toAbsolutePath().normalize().resolve("syncline")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        ConfigValue outbox = context.getValue("syncline.app-db.url");
        boolean outboxOn = outbox != null && outbox.getValue() != null && !outbox.getValue().isBlank();
        Map<String, String> values = Map.of(
                "quarkus.datasource.jdbc.url", h2,
                "syncline.db.embedded", Boolean.toString(!postgres),
                "syncline.db.postgres", Boolean.toString(postgres),
                "syncline.app-db.enabled", Boolean.toString(outboxOn));
        // application.properties sets quarkus.datasource[.pg].active from these two. (Setting the
        // quarkus.* keys here directly made the build drop the named datasource.) Low ordinal:
        // explicit settings still win.
        return List.of(new MapBackedConfigSource("syncline-database-choice", values, 150) {
        });
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(150);
    }
}
