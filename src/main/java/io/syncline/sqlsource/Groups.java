package io.syncline.sqlsource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.support.DefaultExchange;

/**
 * Named groups (cohorts) over a record's properties, from one shared {@code *.groups.yaml} file
 * that several syncs use. Each rule is a Camel Simple predicate over the properties:
 *
 * <pre>
 * high_value: "${body[ltv_cents]} >= 100000 &amp;&amp; ${body[country]} in 'US,CA'"
 * churn_risk: "${body[days_since_purchase]} > 90"
 * </pre>
 */
public final class Groups {

    private final String file;
    private final Map<String, Predicate> rules;
    private final CamelContext camel;

    private Groups(String file, Map<String, Predicate> rules, CamelContext camel) {
        this.file = file;
        this.rules = rules;
        this.camel = camel;
    }

    public static Groups none() {
        return new Groups("-", Map.of(), null);
    }

    public static Groups load(Path file, CamelContext camel) {
        Map<?, ?> doc;
        try {
            doc = new ObjectMapper(new YAMLFactory()).readValue(Files.readString(file), Map.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the groups: " + e.getMessage(), e);
        }
        Map<String, Predicate> rules = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : doc.entrySet()) {
            String name = e.getKey().toString();
            if (!name.matches("[a-z][a-z0-9_]*")) {
                throw new IllegalArgumentException(file + ": group name '" + name + "' must be lower_snake_case");
            }
            try {
                rules.put(name, camel.resolveLanguage("simple").createPredicate(String.valueOf(e.getValue())));
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException(file + ": group '" + name + "' is not a valid rule: " + ex.getMessage(),
                        ex);
            }
        }
        return new Groups(file.getFileName().toString(), Map.copyOf(rules), camel);
    }

    /** Which groups the properties belong to, by name (true or false for every group). */
    public Map<String, Boolean> of(Map<String, Object> properties) {
        Map<String, Boolean> out = new TreeMap<>();
        if (rules.isEmpty()) {
            return out;
        }
        Exchange e = new DefaultExchange(camel);
        e.getMessage().setBody(properties);
        rules.forEach((name, rule) -> out.put(name, rule.matches(e)));
        return out;
    }

    public String file() {
        return file;
    }
}
