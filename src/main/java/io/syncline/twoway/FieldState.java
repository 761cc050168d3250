package io.syncline.twoway;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One field of a two-way record as Syncline last knew it: its value, the side that set it, when
 * that side changed it, and whether the other side is known to hold it too (then it is agreed,
 * and a change from either side is simply the newest one).
 */
@RegisterForReflection
public record FieldState(@JsonProperty("v") Object value, @JsonProperty("side") Side side,
        @JsonProperty("at") String at, @JsonProperty("ok") boolean agreed) {

    public FieldState confirmed() {
        return new FieldState(value, side, at, true);
    }
}
