package io.syncline.metrics;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * Gauges that read this application's beans. A registry that outlives the application (tests
 * restart it in one JVM) keeps the first gauge of a name and ignores a later one, which would
 * then read the beans of an application that has stopped: a gauge registered here replaces any
 * earlier one of the same name and tags.
 */
public final class Gauges {

    private Gauges() {
    }

    public static <T> void register(MeterRegistry registry, String name, String description, T state,
            ToDoubleFunction<T> value, String... tags) {
        registry.find(name).tags(Tags.of(tags)).meters().forEach(registry::remove);
        Gauge.builder(name, state, value).description(description).tags(tags).register(registry);
    }
}
