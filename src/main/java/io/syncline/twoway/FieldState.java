package io.syncline.twoway;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One field of a two-way record as Syncline last knew it: its value, the side that set it, when
 * that side changed it, whether the other side is known to hold it too (then it is agreed, and a
 * change from either side is simply the newest one), and, while it is not, the value both sides
 * agreed on before ({@code base}): the other side still sending that value has merely not
 * received the change yet, which is not a change of its own.
 */
@RegisterForReflection
public record FieldState(@JsonProperty("v") Object value, @JsonProperty("side") Side side,
        @JsonProperty("at") String at, @JsonProperty("ok") boolean agreed, @JsonProperty("b") Object base) {

    public FieldState confirmed() {
        return new FieldState(value, side, at, true, null);
    }
}
