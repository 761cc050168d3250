package io.syncline.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class MappingTest {

    static Object doc(String json) throws Exception {
        return new ObjectMapper().readValue(json, Object.class);
    }

    static Mapping mapping(String yaml) {
        return MappingLoader.parse("test.mapping.yaml", yaml);
    }

    /** The shared relay scenario's mapping (../shared/bench/README.md), as a user would write it. */
    static final String RELAY = """
            model: Contact
            key: external_id
            fields:
              external_id:   { path: $.id, type: string, required: true }
              email:         { path: $.data.email, type: string }
              name:          { concat: [$.data.first_name, " ", $.data.last_name] }
              country:       { path: $.data.country, transforms: [upper] }
              updated_at_ms: { path: $.occurred_at, transforms: [iso_to_epoch_ms], type: integer }
              is_customer:   { path: $.data.lifecycle, transforms: [{ equals: customer }], type: boolean }
            """;

    @Test
    void aMappingThatMultipliesALargeFieldIsRefusedNamingTheRecordNotAMemoryError() throws Exception {
        Mapping m = mapping("""
                model: C
                key: id
                fields:
                  id: { path: $.id, type: string, required: true }
                  a:  { concat: [$.big, $.big] }
                  b:  { concat: [$.big, $.big] }
                  c:  { path: $.n, transforms: [to_string] }
                """);
        String big = "x".repeat(300_000);
        Mapping.Result r = m.apply(doc("{\"id\":\"1\",\"big\":\"" + big + "\",\"n\":1}"));
        assertFalse(r.ok(), "1.2 million characters from one 300 KB field");
        assertTrue(r.errors().toString().contains("more than 1048576"), r.errors().toString());
        Mapping.Result huge = m.apply(new ObjectMapper().enable(
                com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .readValue("{\"id\":\"2\",\"big\":\"x\",\"n\":1e50000000}", Object.class));
        assertFalse(huge.ok());
        assertTrue(huge.errors().toString().contains("more than 1000 digits"), huge.errors().toString());
    }

    @Test
    void relayScenarioMapsExactly() throws Exception {
        Mapping.Result r = mapping(RELAY).apply(doc("""
                {"id":"x1","event":"contact.updated","occurred_at":"2026-11-21T10:00:00Z","data":{"email":"a@b.co",
                 "first_name":"Ada","last_name":"Lovelace","country":"gb","lifecycle":"customer","ltv_cents":12345}}"""));
        assertTrue(r.ok(), r.errors().toString());
        assertEquals(Map.of("external_id", "x1", "email", "a@b.co", "name", "Ada Lovelace", "country", "GB",
                "updated_at_ms", 1795255200000L, "is_customer", true), r.record());
        assertFalse(r.record().containsKey("ltv_cents"), "undeclared fields never pass");
    }

    @Test
    void transformsCoverTextNumbersDatesBooleansAndLookups() throws Exception {
        Mapping m = mapping("""
                model: T
                key: id
                fields:
                  id:      { path: $.id, transforms: [to_string] }
                  trimmed: { path: $.s, transforms: [trim, lower] }
                  dflt:    { path: $.missing, transforms: [{ default: n/a }] }
                  const:   { constant: 7 }
                  secs:    { path: $.at, transforms: [iso_to_epoch_s] }
                  iso:     { path: $.ms, transforms: [epoch_ms_to_iso] }
                  iso2:    { path: $.s2, transforms: [epoch_s_to_iso] }
                  ms:      { path: $.s2, transforms: [epoch_s_to_epoch_ms] }
                  day:     { path: $.at, transforms: [iso_to_date] }
                  midnight: { path: $.at, transforms: [to_midnight_epoch_ms] }
                  flag:    { path: $.yes, transforms: [to_boolean] }
                  num:     { path: $.n, transforms: [to_number] }
                  int:     { path: $.i, transforms: [to_integer] }
                  tier:    { path: $.plan, transforms: [{ lookup: { p1: gold, p2: silver } }, { default: bronze }] }
                """);
        Mapping.Result r = m.apply(doc("""
                {"id":12,"s":"  MiXed ","at":"2026-11-21T10:00:00+01:00","ms":1795255200000,"s2":1795255200,
                 "yes":"Yes","n":"12.50","i":"42","plan":"p9"}"""));
        assertTrue(r.ok(), r.errors().toString());
        assertEquals("12", r.record().get("id"));
        assertEquals("mixed", r.record().get("trimmed"));
        assertEquals("n/a", r.record().get("dflt"));
        assertEquals(7, r.record().get("const"));
        assertEquals(1795251600L, r.record().get("secs"));
        assertEquals("2026-11-21T10:00:00Z", r.record().get("iso"));
        assertEquals("2026-11-21T10:00:00Z", r.record().get("iso2"));
        assertEquals(1795255200000L, r.record().get("ms"));
        assertEquals(1795219200000L, r.record().get("midnight")); // 2026-11-21T00:00:00Z
        assertEquals("2026-11-21", r.record().get("day"));
        assertEquals(true, r.record().get("flag"));
        assertEquals(new java.math.BigDecimal("12.5"), r.record().get("num"));
        assertEquals(42L, r.record().get("int"));
        assertEquals("bronze", r.record().get("tier"));
    }

    @Test
    void badValuesBecomeFieldErrorsNotExceptions() throws Exception {
        Mapping m = mapping("""
                model: T
                key: id
                fields:
                  id:    { path: $.id, type: string, required: true }
                  when:  { path: $.at, transforms: [iso_to_epoch_ms] }
                  count: { path: $.n, transforms: [to_integer] }
                  kind:  { path: $.k, type: string }
                """);
        Mapping.Result r = m.apply(doc("{\"at\":\"yesterday\",\"n\":\"1.5\",\"k\":{\"a\":1}}"));
        assertEquals(List.of("id", "when", "count", "kind"), r.errors().stream().map(FieldError::field).toList());
    }

    @Test
    void deletionNeedsOnlyTheKey() throws Exception {
        Mapping m = mapping(RELAY + "deleted_when: { path: $.event, equals: contact.deleted }\n");
        Mapping.Result r = m.apply(doc("{\"id\":\"x1\",\"event\":\"contact.deleted\"}"));
        assertTrue(r.ok(), r.errors().toString());
        assertTrue(r.deleted());
        assertEquals("x1", r.externalId());
    }

    @Test
    void mistakesInTheFileAreRefusedWithTheirPlace() {
        assertRefused("model: T\nkey: id\nfields:\n  id: { path: $.id, transforms: [lowr] }\n",
                "fields.id.transforms[0]: unknown transform 'lowr'");
        assertRefused("model: T\nkey: id\nfields:\n  id: { path: \"$..[\" }\n", "fields.id.path");
        assertRefused("model: T\nkey: nope\nfields:\n  id: $.id\n", "key 'nope' is not one of the fields");
        assertRefused("model: T\nkey: id\nfields:\n  id: { path: $.id, typ: string }\n", "fields.id.typ is not a known key");
        assertRefused("model: T\nkey: id\nfields:\n  id: { path: $.id, type: text }\n", "unknown type 'text'");
        assertRefused("model: T\nkey: id\nfields:\n  id: [unclosed\n", "test.mapping.yaml:");
        assertRefused("key: id\nfields:\n  id: $.id\n", "'model' is required");
    }

    static void assertRefused(String yaml, String expected) {
        MappingLoader.MappingFileException e = assertThrows(MappingLoader.MappingFileException.class,
                () -> mapping(yaml));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith("test.mapping.yaml"), e.getMessage());
    }
}
