package io.syncline.steps;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.Arc;
import org.apache.camel.quarkus.main.events.BeforeConfigure;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Your app's database ({@code syncline.app-db.url}) in Camel's registry as {@code app}, so a
 * route writes to it with {@code jdbc:app}. Bound only when the app database is configured.
 */
@ApplicationScoped
public class AppDatabase {

    void bind(@Observes BeforeConfigure event,
            @ConfigProperty(name = "syncline.app-db.enabled", defaultValue = "false") boolean enabled) {
        if (enabled) {
            event.getMain().getCamelContext().getRegistry().bind("app", AgroalDataSource.class,
                    Arc.container().instance(AgroalDataSource.class,
                            new DataSource.DataSourceLiteral("app")).get());
        }
    }
}
