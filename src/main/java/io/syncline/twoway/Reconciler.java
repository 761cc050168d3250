package io.syncline.twoway;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides, field by field, what a change from one side of a two-way sync does (guarantee 7):
 * <ul>
 * <li>a value the record already has is an echo of what Syncline wrote, or what the other side
 * already agreed: it is not applied and not propagated;</li>
 * <li>a field owned by the other side is never written from this side (its first value, when
 * nothing is known yet, is kept only as the baseline a new record is created with);</li>
 * <li>a field the other side changed, which this side has not yet received (it still sends the
 * value agreed before), is left alone;</li>
 * <li>a field the other side changed, which this side changed too, is a conflict: its owner wins; under {@code latest} the newer modification time wins and a tie goes to the
 * declared side; under {@code conflicts: review} it is parked for a person;</li>
 * <li>anything else is this side's newest change, to be applied to the other side.</li>
 * </ul>
 */
public final class Reconciler {

    /** Both values of a field changed on both sides, for a person to decide. */
    public record Conflict(String field, Object appValue, Object remoteValue) {
    }

    /**
     * @param agreed the record's field states after this change
     * @param accepted the fields (and values) the other side must now receive
     * @param ignored fields this side changed but does not own, or lost a conflict on
     * @param parked conflicts waiting for a person
     */
    public record Decision(Map<String, FieldState> agreed, Map<String, Object> accepted, Set<String> ignored,
            List<Conflict> parked) {

        /** Nothing to apply: an echo, or only changes this side may not make. */
        public boolean nothingToApply() {
            return accepted.isEmpty();
        }
    }

    private Reconciler() {
    }

    public static Decision reconcile(Ownership rules, Map<String, FieldState> agreed, Side from,
            Map<String, Object> values, Instant at, Set<String> skip) {
        Map<String, FieldState> next = new LinkedHashMap<>(agreed);
        Map<String, Object> accepted = new LinkedHashMap<>();
        Set<String> ignored = new TreeSet<>();
        List<Conflict> parked = new ArrayList<>();
        String when = at.toString();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            String field = e.getKey();
            if (skip.contains(field)) {
                continue;
            }
            Object value = e.getValue();
            FieldState current = agreed.get(field);
            if (current != null && same(current.value(), value)) {
                if (current.side() != from && !current.agreed()) {
                    next.put(field, current.confirmed()); // the other side now holds it: agreed
                }
                continue;
            }
            String owner = rules.ownerOf(field);
            if (owner.equals(from.other().name())) {
                if (current == null) {
                    // Nothing known yet (a record new to one side): this side's value is the baseline,
                    // sent along when the record is created, until the owner says otherwise.
                    next.put(field, new FieldState(value, from, when, false, null));
                }
                ignored.add(field);
                continue;
            }
            boolean concurrent = current != null && current.side() != from && !current.agreed();
            if (concurrent && same(current.base(), value)) {
                continue; // still the value agreed before the other side's change: it has not arrived here yet
            }
            if (concurrent && owner.equals("latest")) {
                if (rules.review()) {
                    parked.add(from == Side.app ? new Conflict(field, value, current.value())
                            : new Conflict(field, current.value(), value));
                    continue;
                }
                int cmp = Instant.parse(when).compareTo(Instant.parse(current.at()));
                boolean wins = cmp > 0 || (cmp == 0 && rules.tie() == from);
                if (!wins) {
                    ignored.add(field);
                    continue;
                }
            }
            Object base = current == null ? null : current.agreed() ? current.value() : current.base();
            next.put(field, new FieldState(value, from, when, false, base));
            accepted.put(field, value);
        }
        return new Decision(next, accepted, ignored, parked);
    }

    /** JSON numbers come back as int, long or BigDecimal; compare them by value. */
    static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
        }
        return Objects.equals(a, b);
    }
}
