package io.syncline.support;

import static io.restassured.RestAssured.given;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Values from /q/metrics, as Prometheus scrapes them. */
public final class Metrics {

    private static final Pattern VALUE = Pattern.compile(" ([0-9.E+-]+)$");

    private Metrics() {
    }

    /** The sum of every series of {@code name} whose labels contain each of {@code labels} (e.g. {@code integration="crm"}). */
    public static double value(String name, String... labels) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        double total = 0;
        for (String line : text.split("\n")) {
            if ((line.startsWith(name + "{") || line.startsWith(name + " "))
                    && Arrays.stream(labels).allMatch(line::contains)) {
                Matcher m = VALUE.matcher(line);
                if (m.find()) {
                    total += Double.parseDouble(m.group(1));
                }
            }
        }
        return total;
    }
}
