package io.syncline.twoway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Each ownership rule and conflict policy, field by field. */
class ReconcilerTest {

    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    static Ownership rules(String def, Side tie, boolean review, Map<String, String> owners) {
        return new Ownership("test", "Contact", "email", "updated_at", def, tie, review, owners);
    }

    static Map<String, FieldState> agreed(String field, Object value, Side side, Instant at, boolean ok) {
        Map<String, FieldState> m = new LinkedHashMap<>();
        m.put(field, new FieldState(value, side, at.toString(), ok, null));
        return m;
    }

    static Reconciler.Decision change(Ownership r, Map<String, FieldState> agreed, Side from, String field,
            Object value, Instant at) {
        return Reconciler.reconcile(r, agreed, from, Map.of(field, value), at, Set.of("id"));
    }

    @Test
    void theSameValueComingBackIsAnEchoAndConfirmsTheAgreement() {
        Ownership r = rules("latest", Side.remote, false, Map.of());
        Reconciler.Decision d = change(r, agreed("email", "a@b.co", Side.app, T0, false), Side.remote, "email",
                "a@b.co", T0.plusSeconds(5));
        assertTrue(d.nothingToApply());
        assertTrue(d.agreed().get("email").agreed());
    }

    @Test
    void aFieldOwnedByTheAppIsNeverWrittenFromTheRemoteSide() {
        Ownership r = rules("latest", Side.remote, false, Map.of("plan", "app"));
        Reconciler.Decision d = change(r, agreed("plan", "pro", Side.app, T0, true), Side.remote, "plan", "free",
                T0.plusSeconds(60));
        assertTrue(d.nothingToApply());
        assertEquals(Set.of("plan"), d.ignored());
        assertEquals("pro", d.agreed().get("plan").value());
    }

    @Test
    void aFieldOwnedByTheRemoteSideIsNeverWrittenFromTheApp() {
        Ownership r = rules("latest", Side.remote, false, Map.of("name", "remote"));
        Reconciler.Decision d = change(r, agreed("name", "Ada", Side.remote, T0, true), Side.app, "name", "Bob",
                T0.plusSeconds(60));
        assertEquals(Set.of("name"), d.ignored());
        assertTrue(d.accepted().isEmpty());
    }

    @Test
    void theOwnerWinsAConflictOnItsField() {
        Ownership r = rules("latest", Side.remote, false, Map.of("plan", "app"));
        // the remote side changed nothing it owns; the app's unconfirmed change is overwritten only by the app
        Reconciler.Decision d = change(r, agreed("plan", "pro", Side.app, T0, false), Side.app, "plan", "team",
                T0.minusSeconds(60));
        assertEquals(Map.of("plan", "team"), d.accepted());
    }

    @Test
    void latestLetsTheNewerChangeWinAConflict() {
        Ownership r = rules("latest", Side.remote, false, Map.of());
        Map<String, FieldState> remoteChanged = agreed("email", "r@b.co", Side.remote, T0, false);
        Reconciler.Decision newer = change(r, remoteChanged, Side.app, "email", "a@b.co", T0.plusSeconds(1));
        assertEquals(Map.of("email", "a@b.co"), newer.accepted());
        Reconciler.Decision older = change(r, remoteChanged, Side.app, "email", "a@b.co", T0.minusSeconds(1));
        assertTrue(older.nothingToApply());
        assertEquals("r@b.co", older.agreed().get("email").value());
    }

    @Test
    void latestGivesATieToTheDeclaredSide() {
        Map<String, FieldState> remoteChanged = agreed("email", "r@b.co", Side.remote, T0, false);
        Reconciler.Decision appWinsTies = change(rules("latest", Side.app, false, Map.of()), remoteChanged, Side.app,
                "email", "a@b.co", T0);
        assertEquals(Map.of("email", "a@b.co"), appWinsTies.accepted());
        Reconciler.Decision remoteWinsTies = change(rules("latest", Side.remote, false, Map.of()), remoteChanged,
                Side.app, "email", "a@b.co", T0);
        assertTrue(remoteWinsTies.nothingToApply());
    }

    @Test
    void reviewParksAConflictWithBothValuesAndAppliesNeither() {
        Ownership r = rules("latest", Side.remote, true, Map.of());
        Reconciler.Decision d = change(r, agreed("email", "r@b.co", Side.remote, T0, false), Side.app, "email",
                "a@b.co", T0.plusSeconds(30));
        assertTrue(d.nothingToApply());
        assertEquals(List.of(new Reconciler.Conflict("email", "a@b.co", "r@b.co")), d.parked());
        assertEquals("r@b.co", d.agreed().get("email").value());
    }

    @Test
    void aChangeAfterTheAgreementIsNoConflict() {
        Ownership r = rules("latest", Side.remote, true, Map.of());
        Reconciler.Decision d = change(r, agreed("email", "r@b.co", Side.remote, T0, true), Side.app, "email",
                "a@b.co", T0.minusSeconds(30));
        assertEquals(Map.of("email", "a@b.co"), d.accepted());
        assertTrue(d.parked().isEmpty());
    }

    @Test
    void numbersCompareByValue() {
        Ownership r = rules("latest", Side.remote, false, Map.of());
        Reconciler.Decision d = change(r, agreed("ltv", 12345, Side.app, T0, true), Side.remote, "ltv",
                new java.math.BigDecimal("12345.0"), T0.plusSeconds(1));
        assertTrue(d.nothingToApply());
    }

    @Test
    void aSideStillSendingTheValueAgreedBeforeHasNotSeenTheChangeYetAndChangesNothing() {
        Ownership r = rules("latest", Side.remote, true, Map.of());
        Map<String, FieldState> appChanged = new LinkedHashMap<>();
        appChanged.put("country", new FieldState("FR", Side.app, T0.toString(), false, "GB"));
        // the CRM's webhook about another field, later, still carries the old country
        Reconciler.Decision d = change(r, appChanged, Side.remote, "country", "GB", T0.plusSeconds(60));
        assertTrue(d.nothingToApply());
        assertTrue(d.parked().isEmpty());
        assertEquals("FR", d.agreed().get("country").value());
    }

    @Test
    void aRecordNewToOneSideKeepsTheOtherSidesValuesOfFieldsItDoesNotOwnAsItsBaseline() {
        Ownership r = rules("latest", Side.remote, false, Map.of("name", "remote"));
        Reconciler.Decision d = change(r, new LinkedHashMap<>(), Side.app, "name", "Ada", T0);
        assertTrue(d.accepted().isEmpty(), "not the app's to change");
        assertEquals("Ada", d.agreed().get("name").value(), "but what a new record is created with");
    }
}
