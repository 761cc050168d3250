package io.syncline.config;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.inject.Inject;

import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Start-up parses the engine's Kamelets always, and a catalogue Kamelet only when a route file
 * names it (the test routes name HubSpot's, in test-catalogue.camel.yaml, and not Shopify's products source).
 */
@QuarkusTest
class EngineKameletsTest {

    @Inject
    CamelContext camel;

    @Test
    void catalogueKameletsLoadOnlyWhenARouteFileNamesThem() {
        ModelCamelContext model = (ModelCamelContext) camel;
        for (String engine : ParamTypes.KAMELETS) {
            assertNotNull(model.getRouteTemplateDefinition(engine), engine + " is always a route template");
        }
        assertNotNull(model.getRouteTemplateDefinition("hubspot-contacts-source"), "named by a route file");
        assertNotNull(model.getRouteTemplateDefinition("hubspot-contacts-sink"), "named by a route file");
        assertNull(model.getRouteTemplateDefinition("shopify-products-source"), "named by no route file: not parsed");
    }
}
