package io.syncline.mapping;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A named, declarative step applied to a field's value. A transform never sees other fields,
 * so a mapping file reads top to bottom. It throws {@link MappingException} with a message for
 * people when the value cannot be transformed; the record then goes to dead letters.
 */
@FunctionalInterface
public interface Transform {

    Object apply(Object value);

    /** The transform names a mapping file may use, for error messages. */
    List<String> NAMES = List.of("to_midnight_epoch_ms", "trim", "lower", "upper", "default", "constant", "to_boolean", "to_number",
            "to_integer", "to_string", "iso_to_epoch_s", "iso_to_epoch_ms", "epoch_s_to_iso", "epoch_ms_to_iso",
            "epoch_s_to_epoch_ms", "epoch_ms_to_epoch_s", "iso_to_date", "lookup", "equals", "present");

    /**
     * @param name the transform's name
     * @param arg its argument ({@code null} when written as a bare name)
     */
    static Transform of(String name, Object arg) {
        return switch (name) {
            case "trim" -> v -> v instanceof String s ? s.strip() : v;
            case "lower" -> v -> v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
            case "upper" -> v -> v instanceof String s ? s.toUpperCase(Locale.ROOT) : v;
            case "default" -> v -> v == null || (v instanceof String s && s.isEmpty()) ? arg : v;
            case "constant" -> v -> arg;
            case "to_boolean" -> Transform::toBoolean;
            case "to_number" -> v -> toNumber(v, false);
            case "to_integer" -> v -> toNumber(v, true);
            case "to_string" -> v -> v == null ? null : Mapping.text(v);
            case "iso_to_epoch_s" -> v -> v == null ? null : parseInstant(v).getEpochSecond();
            case "iso_to_epoch_ms" -> v -> v == null ? null : parseInstant(v).toEpochMilli();
            case "epoch_s_to_iso" -> v -> v == null ? null : Instant.ofEpochSecond(toLong(v)).toString();
            case "epoch_ms_to_iso" -> v -> v == null ? null : Instant.ofEpochMilli(toLong(v)).toString();
            case "epoch_s_to_epoch_ms" -> v -> v == null ? null : Math.multiplyExact(toLong(v), 1000L);
            case "epoch_ms_to_epoch_s" -> v -> v == null ? null : Math.floorDiv(toLong(v), 1000L);
            case "iso_to_date" -> v -> v == null ? null : parseInstant(v).atOffset(ZoneOffset.UTC).toLocalDate().toString();
            // date properties of some CRMs (HubSpot's): epoch ms at midnight UTC of the day; takes a date or a time
            case "to_midnight_epoch_ms" -> v -> v == null ? null : midnight(v);
            case "lookup" -> lookup(arg);
            case "equals" -> v -> v != null && String.valueOf(v).equals(String.valueOf(arg));
            // whether the source has the value at all (e.g. GitHub's pull_request key on an issue)
            case "present" -> v -> v != null && !(v instanceof String s && s.isEmpty());
            default -> throw new IllegalArgumentException("unknown transform '" + name + "'; expected one of " + NAMES);
        };
    }

    private static long midnight(Object v) {
        String s = String.valueOf(v);
        LocalDate day = s.length() == 10 ? LocalDate.parse(s)
                : parseInstant(v).atOffset(ZoneOffset.UTC).toLocalDate();
        return day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    private static Transform lookup(Object arg) {
        if (!(arg instanceof Map<?, ?> table)) {
            throw new IllegalArgumentException("lookup takes a table of value: replacement");
        }
        return v -> v == null ? null : table.get(String.valueOf(v));
    }

    private static Object toBoolean(Object v) {
        if (v == null || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        String s = String.valueOf(v).strip().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "yes", "y", "1", "on" -> true;
            case "false", "no", "n", "0", "off", "" -> false;
            default -> throw new MappingException("'" + v + "' is not a boolean");
        };
    }

    private static Object toNumber(Object v, boolean integer) {
        if (v == null) {
            return null;
        }
        BigDecimal d;
        try {
            String s = v instanceof Number n ? n.toString() : String.valueOf(v).strip();
            if (s.length() > Mapping.MAX_DIGITS) {
                throw new MappingException("a number of more than " + Mapping.MAX_DIGITS + " characters");
            }
            d = new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw new MappingException("'" + v + "' is not a number");
        }
        Mapping.text(d); // bounded before anything writes it out in full
        if (integer) {
            try {
                return d.longValueExact();
            } catch (ArithmeticException e) {
                throw new MappingException("'" + v + "' is not a whole number");
            }
        }
        d = d.stripTrailingZeros();
        return d.scale() <= 0 && d.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0 ? (Object) d.longValue() : d;
    }

    private static long toLong(Object v) {
        return (Long) toNumber(v, true);
    }

    private static Instant parseInstant(Object v) {
        Instant at = SourceTimes.instant(String.valueOf(v));
        if (at == null) {
            throw new MappingException("'" + v + "' is not an ISO 8601 date-time");
        }
        return at;
    }
}
