package io.syncline.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** How connections are shared out among live replicas: even shares, and few moves when a replica joins or leaves. */
class OwnershipAssignmentTest {

    static Map<String, String> unowned(int connections) {
        Map<String, String> holders = new HashMap<>();
        for (int i = 0; i < connections; i++) {
            holders.put("crm/c" + i, null);
        }
        return holders;
    }

    static Collection<Long> loads(Map<String, String> owners) {
        return owners.values().stream().collect(Collectors.groupingBy(r -> r, Collectors.counting())).values();
    }

    @Test
    void everyConnectionGetsOneLiveOwnerAndTheSharesDifferByOneAtMost() {
        Map<String, String> owners = ConnectionOwners.assign(unowned(12), List.of("a", "b", "c", "d", "e"));
        assertEquals(12, owners.size());
        assertTrue(List.of("a", "b", "c", "d", "e").containsAll(owners.values()));
        assertEquals(5, loads(owners).size(), "every replica owns some");
        assertTrue(loads(owners).stream().allMatch(n -> n == 2 || n == 3), "shares of 2 or 3: " + loads(owners));
    }

    @Test
    void aReplicaThatJoinsTakesOnlyItsShareAndOneThatLeavesGivesOnlyItsOwn() {
        List<String> five = List.of("a", "b", "c", "d", "e");
        Map<String, String> before = ConnectionOwners.assign(unowned(30), five);
        Map<String, String> joined = ConnectionOwners.assign(before, List.of("a", "b", "c", "d", "e", "f"));
        long moved = before.keySet().stream().filter(k -> !before.get(k).equals(joined.get(k))).count();
        assertEquals(5, moved, "the sixth replica takes its 5 and nothing else moves");
        assertTrue(loads(joined).stream().allMatch(n -> n == 5));

        Map<String, String> left = ConnectionOwners.assign(joined, List.of("a", "b", "d", "e", "f"));
        long movedOnLeave = joined.keySet().stream().filter(k -> !joined.get(k).equals(left.get(k))).count();
        assertEquals(5, movedOnLeave, "only what c owned moves");
        assertTrue(loads(left).stream().allMatch(n -> n == 6));
    }

    @Test
    void everyReplicaComputesTheSameAnswer() {
        Map<String, String> holders = unowned(40);
        assertEquals(ConnectionOwners.assign(holders, List.of("r1", "r2", "r3")),
                ConnectionOwners.assign(new HashMap<>(holders), List.of("r1", "r2", "r3")));
    }
}
