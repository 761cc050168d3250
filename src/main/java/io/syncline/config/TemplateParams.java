package io.syncline.config;

import java.nio.file.Path;

import io.quarkus.arc.Arc;
import org.apache.camel.CamelContext;
import org.apache.camel.RouteTemplateContext;
import org.eclipse.microprofile.config.ConfigProvider;

/** What the engine's Kamelets and steps read when Camel builds a route from them. */
public final class TemplateParams {

    private TemplateParams() {
    }

    /** A template parameter as text; empty when absent. */
    public static String text(RouteTemplateContext rtc, String name) {
        Object v = rtc.getProperty(name);
        return v == null ? "" : v.toString();
    }

    /** The Camel global option by which the route validator names the directory it checks. */
    public static final String ROUTES_DIR_OPTION = "syncline.routes-dir";

    /** Where the route files and mapping files of the route being built are. */
    public static Path routesDir(RouteTemplateContext rtc) {
        return routesDir(rtc.getCamelContext());
    }

    /** Where the route files of the context's routes are: the validator's directory, else {@link #routesDir()}. */
    public static Path routesDir(CamelContext camel) {
        String dir = camel == null ? null : camel.getGlobalOption(ROUTES_DIR_OPTION);
        return dir != null ? Path.of(dir) : routesDir();
    }

    /** Where route files and their mapping files are ({@code syncline.routes-dir}). */
    public static Path routesDir() {
        return Path.of(ConfigProvider.getConfig().getOptionalValue("syncline.routes-dir", String.class).orElse("routes"));
    }

    /** An engine bean, for a template's local beans (they are built by Camel, not by CDI). */
    public static <T> T bean(Class<T> type) {
        return Arc.container().instance(type).get();
    }
}
