package io.syncline.routes;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * A start refused for broken route files has already said why, one line per problem (file,
 * line, what was expected). This drops the stack traces that the runtime would print after
 * those lines about the same refusal; every other record passes untouched.
 */
@LoggingFilter(name = "broken-routes")
public final class BrokenRoutesLogFilter implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        for (Throwable t = record.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StartupRouteCheck.BrokenRoutes) {
                return false;
            }
        }
        return true;
    }
}
